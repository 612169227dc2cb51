"""Pure checks of the one place user text is made safe for Slack."""

from bot.blocks.text import GIVEN_BACK_MAX, block_text_length, inert, plain, quoted, quoted_sections


def test_control_characters_are_escaped() -> None:
    assert inert("<!here> & go") == "&lt;!here&gt; &amp; go"


def test_bare_broadcast_words_are_broken_with_a_zero_width_space() -> None:
    assert inert("ping @channel and @Here") == "ping @\u200bchannel and @\u200bHere"


def test_clipping_never_cuts_an_escape_in_half() -> None:
    clipped = inert("&" * 10, limit=12)

    assert clipped == "&amp;&amp;…"


def test_short_text_is_not_clipped() -> None:
    assert inert("ship it", limit=7) == "ship it"


def test_quoted_text_quotes_every_line_so_a_newline_cannot_end_the_quote() -> None:
    assert quoted("first\n*second*") == ">first\n>*second*"


def test_quoted_sections_give_back_all_of_a_long_hostile_text_across_several_sections() -> None:
    text = "<&>" * 600  # 1,800 characters, each one escaped to 4 or 5: 7,800 once escaped

    blocks = quoted_sections(text)

    # Each section is cut at SECTION_TEXT_MAX by mrkdwn_section, so a chunk too long would lose its end: the
    # proof that it fits is that nothing is missing once the sections are put back together.
    assert len(blocks) > 1
    assert "".join(block["text"]["text"].removeprefix(">") for block in blocks) == "&lt;&amp;&gt;" * 600


def test_quoted_sections_stay_inside_one_messages_budget_and_say_what_they_leave_out() -> None:
    text = "<&>" * 1000  # a flag's whole 3,000 characters: 13,000 once escaped, past what one message may hold

    blocks = quoted_sections(text)

    assert block_text_length(blocks) <= GIVEN_BACK_MAX
    assert blocks[-1]["text"]["text"].endswith("more parts not shown)")
    shown = "".join(block["text"]["text"].removeprefix(">") for block in blocks[:-1])
    assert ("&lt;&amp;&gt;" * 1000).startswith(shown) and len(shown) > GIVEN_BACK_MAX - 3000


def test_quoted_sections_say_how_much_is_not_shown_past_their_block_budget() -> None:
    blocks = quoted_sections("x" * 10_000, max_blocks=2)

    assert len(blocks) == 2
    assert blocks[-1]["text"]["text"].endswith("(3 more parts not shown)")


def test_plain_text_is_clipped_but_not_escaped() -> None:
    assert plain("a < b & c", 75) == "a < b & c"
    assert plain("x" * 100, 75) == "x" * 74 + "…"
