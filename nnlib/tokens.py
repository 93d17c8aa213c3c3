"""Tokenizers: how text becomes a list of integers (token ids) and back (chapter 7).

A language model never sees letters: it sees integers, one per token. Two ways to cut text:

- ``CharTokenizer``: one token per character. The vocabulary is the characters of a text
  (a few dozen), so the model needs many tokens per word.
- ``BPETokenizer`` (byte-pair encoding, as in GPT-2): start from the 256 byte values of UTF-8,
  then repeatedly give the most frequent pair of neighbouring tokens a new id and replace the
  pair by it. Frequent words end up as a single token; rare words are spelt in pieces, and any
  text at all can still be encoded (every text is a sequence of bytes).

Byte-pair encoding is built from three small functions that the chapter runs by hand::

    >>> ids = [1, 2, 1, 2, 3]
    >>> pair_counts(ids)
    {(1, 2): 2, (2, 1): 1, (2, 3): 1}
    >>> most_frequent_pair(ids)
    (1, 2)
    >>> merge_pair(ids, (1, 2), 4)
    [4, 4, 3]

``train_bpe(text, n_merges)`` repeats that step ``n_merges`` times and returns a tokenizer.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

__all__ = [
    "CharTokenizer",
    "pair_counts",
    "most_frequent_pair",
    "merge_pair",
    "BPETokenizer",
    "train_bpe",
]


def _check_text(text: object, who: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{who} expected a str, got {type(text).__name__}: {text!r:.60}. "
                        "Hint: read a file with open(path, encoding='utf-8').read().")
    return text


def _check_ids(ids: Iterable[int], who: str) -> list[int]:
    """Return ids as a list of Python ints, or raise saying which entry is not an integer."""
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{who} expected a list of integer token ids, got a "
                        f"{type(ids).__name__}: {ids!r:.60}. Hint: encode the text first.")
    out = []
    for i, token in enumerate(ids):
        if isinstance(token, bool) or not isinstance(token, numbers.Integral):
            raise TypeError(f"{who} expected integer token ids, got {token!r} "
                            f"({type(token).__name__}) at position {i}")
        out.append(int(token))
    return out


# ----------------------------------------------------------------------------- characters


class CharTokenizer:
    """One token per character; the vocabulary is the sorted characters of ``text``.

    ``chars`` lists the characters, id ``i`` is ``chars[i]``::

        >>> tok = CharTokenizer("hello")
        >>> tok.chars
        ['e', 'h', 'l', 'o']
        >>> tok.encode("hole")
        [1, 3, 2, 0]
        >>> tok.decode([1, 0, 2, 2, 3])
        'hello'
    """

    def __init__(self, text: str) -> None:
        text = _check_text(text, "CharTokenizer")
        if not text:
            raise ValueError("CharTokenizer expected a non-empty text to take its characters "
                             "from, got ''.")
        self.chars: list[str] = sorted(set(text))
        self.ids: dict[str, int] = {c: i for i, c in enumerate(self.chars)}

    @property
    def vocab_size(self) -> int:
        """The number of different tokens (characters)."""
        return len(self.chars)

    def encode(self, s: str) -> list[int]:
        """The id of each character of ``s``, a list of ``len(s)`` ints."""
        s = _check_text(s, "CharTokenizer.encode")
        unknown = sorted(set(s) - self.ids.keys())
        if unknown:
            raise ValueError(
                f"CharTokenizer.encode got characters that are not in the vocabulary: "
                f"{''.join(unknown)!r}. Known characters ({self.vocab_size}): "
                f"{''.join(self.chars)!r}. Hint: build the tokenizer from a text that contains "
                "every character you will encode, or remove these characters first.")
        return [self.ids[c] for c in s]

    def decode(self, ids: Iterable[int]) -> str:
        """The text of a list of ids (the inverse of ``encode``)."""
        ids = _check_ids(ids, "CharTokenizer.decode")
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"CharTokenizer.decode expected ids from 0 to {self.vocab_size - 1}"
                             f" (the vocabulary size is {self.vocab_size}), got {bad[0]}")
        return "".join(self.chars[i] for i in ids)

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"


# ----------------------------------------------------------------------------- byte-pair encoding


def pair_counts(ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs, in the order pairs first appear.

    ``pair_counts([1, 2, 1, 2, 3]) == {(1, 2): 2, (2, 1): 1, (2, 3): 1}``. Overlapping pairs all
    count: ``[5, 5, 5]`` has the pair (5, 5) twice.
    """
    ids = _check_ids(ids, "pair_counts")
    counts: dict[tuple[int, int], int] = {}
    for pair in zip(ids[:-1], ids[1:], strict=True):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def most_frequent_pair(ids: Iterable[int]) -> tuple[int, int]:
    """The pair of neighbouring ids that occurs most often.

    Ties: the pair whose FIRST occurrence comes first in ``ids`` wins (``pair_counts`` keeps
    that order and ``max`` returns the first maximum), so the result never depends on chance:
    ``most_frequent_pair([3, 4, 1, 2, 1, 2, 3, 4]) == (3, 4)``.
    """
    counts = pair_counts(ids)
    if not counts:
        raise ValueError("most_frequent_pair expected at least 2 ids (one pair), got "
                         f"{len(_check_ids(ids, 'most_frequent_pair'))}.")
    return max(counts, key=counts.get)


def merge_pair(ids: Iterable[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``ids`` by ``new_id``, left to right.

    Occurrences do not overlap: scanning ``[a, a, a]`` for ``(a, a)`` merges the first two and
    keeps the third, ``[new_id, a]``. Returns a new list; ``ids`` is unchanged.
    """
    ids = _check_ids(ids, "merge_pair")
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise ValueError(f"merge_pair expected pair to be two ids (a, b), got {pair!r}")
    first, second = _check_ids(pair, "merge_pair")
    new_id = _check_ids([new_id], "merge_pair")[0]
    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == first and ids[i + 1] == second:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


class BPETokenizer:
    """A byte-level byte-pair-encoding tokenizer (as GPT-2's, without its pre-splitting).

    Ids 0..255 are the bytes of UTF-8; each merge ``(a, b) -> new`` adds one id from 256 on.

    - ``merges``: ``{(a, b): new_id}`` in training order (dicts keep insertion order).
    - ``vocab``: ``{id: bytes}``, the bytes each id stands for (``vocab[new] = vocab[a] +
      vocab[b]``).
    - ``encode(text)``: the UTF-8 bytes of text, then every merge in training order.
    - ``decode(ids)``: the bytes of each id joined, decoded as UTF-8; a cut in the middle of a
      character shows as the replacement character '\\ufffd' instead of raising.

    Build one with ``train_bpe(text, n_merges)``, or pass ``merges`` learnt earlier.
    """

    def __init__(self, merges: dict[tuple[int, int], int] | None = None) -> None:
        self.merges: dict[tuple[int, int], int] = {}
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for (a, b), new_id in (merges or {}).items():
            self.add_merge((a, b), new_id)

    def add_merge(self, pair: tuple[int, int], new_id: int) -> None:
        """Record the merge ``pair -> new_id``; new_id must be the next free id."""
        a, b = _check_ids(pair, "BPETokenizer")
        if new_id != len(self.vocab):
            raise ValueError(f"BPETokenizer expected merges to number new ids in order: the next"
                             f" id is {len(self.vocab)}, got {new_id} for the pair {(a, b)}")
        if a not in self.vocab or b not in self.vocab:
            raise ValueError(f"BPETokenizer: the merge {(a, b)} -> {new_id} uses an id that "
                             f"does not exist yet (ids so far: 0..{len(self.vocab) - 1})")
        self.merges[(a, b)] = new_id
        self.vocab[new_id] = self.vocab[a] + self.vocab[b]

    @property
    def vocab_size(self) -> int:
        """256 byte values plus one id per merge."""
        return len(self.vocab)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``: its UTF-8 bytes, then each merge applied in training order."""
        ids = list(_check_text(text, "BPETokenizer.encode").encode("utf-8"))
        for pair, new_id in self.merges.items():
            if len(ids) < 2:
                break
            ids = merge_pair(ids, pair, new_id)
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text of a list of ids (invalid UTF-8 becomes '\\ufffd')."""
        ids = _check_ids(ids, "BPETokenizer.decode")
        bad = [i for i in ids if i not in self.vocab]
        if bad:
            raise ValueError(f"BPETokenizer.decode expected ids from 0 to {self.vocab_size - 1},"
                             f" got {bad[0]}")
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)})"


def train_bpe(text: str, n_merges: int) -> BPETokenizer:
    """Learn ``n_merges`` byte-pair merges from ``text`` and return the tokenizer.

    Each step: find the most frequent pair of neighbouring ids in the text (ties to the pair
    seen first), give it the next free id (256, 257, ...), and merge it everywhere. Training
    stops early when no pair occurs twice: merging a pair seen once saves nothing.
    """
    text = _check_text(text, "train_bpe")
    if isinstance(n_merges, bool) or not isinstance(n_merges, numbers.Integral) or n_merges < 0:
        raise ValueError(f"train_bpe expected n_merges to be an int >= 0, got {n_merges!r}")
    tokenizer = BPETokenizer()
    ids = list(text.encode("utf-8"))
    for _ in range(int(n_merges)):
        counts = pair_counts(ids)
        if not counts or max(counts.values()) < 2:
            break
        pair = max(counts, key=counts.get)
        new_id = tokenizer.vocab_size
        tokenizer.add_merge(pair, new_id)
        ids = merge_pair(ids, pair, new_id)
    return tokenizer
