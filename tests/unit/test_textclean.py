"""Text cleaning: no NUL, no controls, no lone surrogates; tab and newline kept."""

from mailbot.textclean import clean_json, clean_line, clean_text, decode_header_bytes


def test_clean_text_removes_nul_and_controls_but_keeps_tab_and_newline():
    assert clean_text("a\x00b\x01c\x1b[31md\x7fe\x9bf") == "abc[31mdef"
    assert clean_text("col1\tcol2\nline2") == "col1\tcol2\nline2"
    assert clean_text("dos\r\nmac\rend") == "dos\nmac\nend"


def test_clean_text_replaces_lone_surrogates_and_keeps_real_text():
    cleaned = clean_text("Ren\udcc3 \udcff é – 😀")
    assert cleaned == "Ren\ufffd \ufffd é – 😀"
    cleaned.encode("utf-8")  # what PostgreSQL needs


def test_clean_text_returns_the_same_object_when_clean():
    text = "Déjà propre\tet net\n"
    assert clean_text(text) is text


def test_clean_line_makes_one_line():
    assert clean_line("Objet\x00 :\tmulti\r\nligne\x07") == "Objet : multi ligne"


def test_clean_json_cleans_nested_strings_and_keys():
    value = {"a\x00": ["x\x01", {"y": "z\x1b"}], "n": 3, "ok": ["fine"]}
    assert clean_json(value) == {"a": ["x", {"y": "z"}], "n": 3, "ok": ["fine"]}
    clean = {"k": ["v", 1, None]}
    assert clean_json(clean) is clean


def test_decode_header_bytes_utf8_else_cp1252():
    assert decode_header_bytes("Réunion – été".encode()) == "Réunion – été"
    assert decode_header_bytes("Réunion – été".encode("cp1252")) == "Réunion – été"
    assert decode_header_bytes(b"caf\xe9 \x81") == "café "  # undefined cp1252 byte dropped
