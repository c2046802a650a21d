"""Heading ids follow pandoc's rule: from the first letter on, any script."""

from book.resolve.markdown import slugify


def test_ids_keep_non_ascii_initials_and_drop_leading_digits():
    assert slugify("Łódź at night") == "łódź-at-night"
    assert slugify("Österreich") == "österreich"
    assert slugify("The Rapallo Treaty (1922)") == "the-rapallo-treaty-1922"
    assert slugify("1939: the war") == "the-war"
    assert slugify("1939") == "section"
