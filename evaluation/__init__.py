"""Measuring Signpost from the outside, the way a parent meets it.

``python -m evaluation.conversations`` (run by ``make eval``) starts a whole stack per directory,
sends the public conversation set (``tests/conversations/``) through Rasa's REST channel and
judges the services the parent ends up looking at, beside a search box with no conversation
(BM25 over the services' own text). See docs/conversation.md, "End-to-end evaluation".

- ``conversation_set``: the set's messages and conversations, and the places that fill them.
- ``answer_key``: which services are right for which needs, per directory.
- ``judging``: reading the bot's replies (services, a phone number, a generic prompt) and
  deciding whether an answer is right.
- ``baseline``: the search box with no conversation.
- ``conversations``: running it all, the figures, the table and the JSON.
"""
