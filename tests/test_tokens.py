"""Tests of nnlib.tokens: the character tokenizer and byte-pair encoding (chapter 7)."""

import pytest

from nnlib.tokens import (
    BPETokenizer,
    CharTokenizer,
    merge_pair,
    most_frequent_pair,
    pair_counts,
    train_bpe,
)

TEXT = "the cat sat on the mat. the end."


def test_char_tokenizer_vocabulary_is_the_sorted_characters():
    tok = CharTokenizer("hello")
    assert tok.chars == ["e", "h", "l", "o"]
    assert tok.vocab_size == 4
    assert tok.encode("hole") == [1, 3, 2, 0]


def test_char_tokenizer_round_trip():
    tok = CharTokenizer(TEXT)
    ids = tok.encode(TEXT)
    assert len(ids) == len(TEXT)
    assert all(0 <= i < tok.vocab_size for i in ids)
    assert tok.decode(ids) == TEXT


def test_char_tokenizer_unknown_character_is_named_with_the_known_ones():
    tok = CharTokenizer("abc")
    with pytest.raises(ValueError, match=r"'z'.*Known characters \(3\): 'abc'"):
        tok.encode("abz")


def test_char_tokenizer_decode_rejects_ids_outside_the_vocabulary():
    tok = CharTokenizer("abc")
    with pytest.raises(ValueError, match="from 0 to 2"):
        tok.decode([0, 3])
    with pytest.raises(TypeError, match="integer token ids"):
        tok.decode([0.5])


def test_char_tokenizer_needs_text():
    with pytest.raises(ValueError, match="non-empty"):
        CharTokenizer("")
    with pytest.raises(TypeError, match="expected a str"):
        CharTokenizer(["a", "b"])


def test_pair_counts_counts_overlapping_pairs_in_order_of_first_occurrence():
    assert pair_counts([1, 2, 1, 2, 3]) == {(1, 2): 2, (2, 1): 1, (2, 3): 1}
    assert list(pair_counts([9, 8, 1, 2, 9, 8])) == [(9, 8), (8, 1), (1, 2), (2, 9)]
    assert pair_counts([5, 5, 5]) == {(5, 5): 2}
    assert pair_counts([7]) == {}


def test_most_frequent_pair_breaks_ties_by_first_occurrence():
    assert most_frequent_pair([1, 2, 1, 2, 3]) == (1, 2)
    # (3, 4) and (1, 2) both occur twice: (3, 4) comes first in the list
    assert most_frequent_pair([3, 4, 1, 2, 1, 2, 3, 4]) == (3, 4)
    # all pairs occur once: the first pair wins, not the smallest or the largest
    assert most_frequent_pair([9, 1, 5, 2]) == (9, 1)


def test_most_frequent_pair_needs_a_pair():
    with pytest.raises(ValueError, match="at least 2 ids"):
        most_frequent_pair([4])


def test_merge_pair_is_left_to_right_and_non_overlapping():
    assert merge_pair([1, 2, 1, 2, 3], (1, 2), 4) == [4, 4, 3]
    assert merge_pair([0, 0, 0], (0, 0), 9) == [9, 0]
    assert merge_pair([0, 0, 0, 0], (0, 0), 9) == [9, 9]
    assert merge_pair([1, 3, 2], (1, 2), 4) == [1, 3, 2]
    ids = [1, 2]
    merge_pair(ids, (1, 2), 5)
    assert ids == [1, 2], "merge_pair must return a new list"


def test_merge_pair_rejects_a_bad_pair():
    with pytest.raises(ValueError, match="two ids"):
        merge_pair([1, 2], (1, 2, 3), 4)


def test_train_bpe_on_the_classic_example():
    # "aaabdaaabac": aa -> 256, then (256, a) -> 257 ("aaa"), then (257, b) -> 258 ("aaab")
    tok = train_bpe("aaabdaaabac", 10)
    a, b = ord("a"), ord("b")
    assert tok.merges == {(a, a): 256, (256, a): 257, (257, b): 258}
    assert tok.vocab[258] == b"aaab"
    assert tok.vocab_size == 259
    assert tok.encode("aaabdaaabac") == [258, ord("d"), 258, a, ord("c")]


def test_train_bpe_stops_when_no_pair_repeats():
    tok = train_bpe("abcd", 5)
    assert tok.merges == {}
    assert tok.vocab_size == 256


def test_bpe_round_trip_shortens_the_text_and_handles_any_unicode():
    tok = train_bpe(TEXT * 3, 20)
    assert len(tok.merges) == 20
    assert list(tok.merges.values()) == list(range(256, 276))
    ids = tok.encode(TEXT)
    assert len(ids) < len(TEXT.encode("utf-8"))
    assert tok.decode(ids) == TEXT
    unseen = "Zoë says ≠ 日本 🙂"
    assert tok.decode(tok.encode(unseen)) == unseen


def test_bpe_encode_applies_merges_in_training_order():
    # trained merges: (a, b) -> 256 then (256, c) -> 257; encoding "abc" must give [257]
    tok = BPETokenizer({(97, 98): 256, (256, 99): 257})
    assert tok.encode("abcab") == [257, 256]
    assert tok.decode([257, 256]) == "abcab"


def test_bpe_decode_replaces_a_cut_character():
    tok = BPETokenizer()
    ids = tok.encode("é")  # two bytes
    assert len(ids) == 2
    assert tok.decode(ids[:1]) == "\ufffd"
    with pytest.raises(ValueError, match="from 0 to 255"):
        tok.decode([300])


def test_bpe_merges_must_number_new_ids_in_order():
    with pytest.raises(ValueError, match="next id is 256"):
        BPETokenizer({(97, 98): 300})


def test_train_bpe_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_merges"):
        train_bpe("abc", -1)
    with pytest.raises(TypeError, match="expected a str"):
        train_bpe(b"abc", 1)
