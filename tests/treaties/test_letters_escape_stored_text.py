"""Letters are Markdown: a State's name (or other stored text) is shown literally, never
rendered as a link, an image or HTML."""

import datetime as dt
import re

from notifications.letters import joint_invoice_letter, md, outreach_letter

EVIL = "<img src=x onerror=alert(1)> [evil](javascript:x)"


def test_stored_text_with_html_and_markdown_is_escaped_in_both_letters():
    day = dt.date(2026, 11, 29)
    letters = [
        outreach_letter(iso3="AFG", name=EVIL, as_of=day, asks=[], obligations=[], invoices=[]),
        joint_invoice_letter(iso3="AFG", name=EVIL, as_of=day, invoices=[]),
    ]
    for letter in letters:
        assert "<img" not in letter
        assert not re.search(r"(?<!\\)\[evil(?<!\\)\]\(", letter)  # no live link: brackets escaped
        assert md(EVIL) in letter
    assert md(EVIL) == "&lt;img src=x onerror=alert(1)&gt; \\[evil\\](javascript:x)"
    assert md("Bolivia (Plurinational State of)") == "Bolivia (Plurinational State of)"
