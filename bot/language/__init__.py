"""Language rules shared by the bot: terms, name/date/number patterns, word lists (data/*.txt)."""
