"""Pure Block Kit builders: data in, dicts out. No I/O and no clock (pass `now` in).

User text goes through `bot.blocks.text` (escaping and Slack's limits), here and nowhere else.
"""
