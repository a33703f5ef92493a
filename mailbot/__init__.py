"""mailbot: the email side of a clause sociale desk."""

__all__ = ["__version__"]

__version__ = "0.1.0"
