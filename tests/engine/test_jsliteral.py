import pytest

from journeys.engine.jsliteral import JsSyntaxError, Reference, read_constants


def values(text: str) -> dict:
    return {c.name: c.value for c in read_constants(text) if c.literal}


def test_it_reads_strings_numbers_booleans_and_nested_lists():
    text = """const A = ["x", 'y', `z`, 1, -2.5, .5, 1e3, 0x1F, true, false, null, [[1], []],]"""
    assert values(text) == {"A": ["x", "y", "z", 1, -2.5, 0.5, 1000.0, 31, True, False, None, [[1], []]]}


def test_it_decodes_escapes_in_strings():
    text = r"""const A = ["it\'s", "tab\there", "\u00e9t\xe9", "a\\b", "line\
continued"]"""
    assert values(text) == {"A": ["it's", "tab\there", "été", "a\\b", "linecontinued"]}


def test_it_skips_comments_but_not_slashes_inside_strings():
    text = """
    // const HIDDEN = 1
    /* const ALSO_HIDDEN = 2 */
    const URL = "https://example.com/a//b" // trailing comment
    """
    assert values(text) == {"URL": "https://example.com/a//b"}


def test_it_reads_objects_with_references_like_the_workflow_returns():
    text = "const VARIABLES = { FLOW_NAME: FLOW_NAME, 'quoted': 1, SHORT, }"
    assert values(text) == {
        "VARIABLES": {"FLOW_NAME": Reference("FLOW_NAME"), "quoted": 1, "SHORT": Reference("SHORT")}
    }


def test_it_reads_several_declarators_in_one_statement():
    assert values("let A = 1, B = [2]; var C = 'c'") == {"A": 1, "B": [2], "C": "c"}


def test_it_marks_values_that_are_code_and_carries_on():
    constants = read_constants("const A = f(1)\nconst B = 1 + 2\nconst C = [1].map(g)\nconst D = 4")
    assert [(c.name, c.literal) for c in constants] == [("A", False), ("B", False), ("C", False), ("D", True)]
    assert constants[-1].value == 4


def test_it_ignores_arrow_functions_and_comparisons():
    assert values("const f = (x) => x\nif (a == 1) {}\nconst Z = 0") == {"Z": 0}


def test_it_remembers_the_line_of_every_value():
    (constant,) = read_constants('\n\nconst STEPS = [\n  ["a", "b"],\n  ["c",\n   "d"],\n]')
    assert constant.line == 3
    assert constant.line_of(0) == 4 and constant.line_of(1) == 5 and constant.line_of(1, 1) == 6
    assert constant.line_of(7, 3) == 3  # unknown positions fall back to the nearest known parent


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('const A = 1\nconst B = "open\n', 2, "a string is not closed before the end of the line"),
        ("const A = 1\n/* open", 2, "a /* comment is not closed"),
        ("const A = `open\n\n", 1, "a string that starts here is not closed"),
    ],
)
def test_it_names_the_line_of_text_that_cannot_be_read(text, line, message):
    with pytest.raises(JsSyntaxError) as caught:
        read_constants(text)
    assert (caught.value.line, caught.value.message) == (line, message)
