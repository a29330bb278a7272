"""Text from outside, made safe to show and to fetch: the cleaner feed text goes through
(clean, invisible, links) and the one reader of feed URLs (feedurl).

It sits at the bottom of the layers, beside model and config, and imports nothing else of
DealDesk: the config checker, the store's row readers, the parsers and the views all hold
text to the same rules.
"""
