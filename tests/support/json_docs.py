"""The documents of a text holding JSON documents one after another, as the JSON reader takes
a bulk (JSON Lines is one such text): a list of (document, its text)."""
import json


def documents(text):
    dec = json.JSONDecoder()
    pos, docs = 0, []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            return docs
        doc, end = dec.raw_decode(text, pos)
        docs.append((doc, text[pos:end + 1]))
        pos = end
