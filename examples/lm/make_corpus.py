#!/usr/bin/env python3
"""Writes corpus.txt: short generated stories, the training text of the model.

Character-level and small (about 300 KB, 40-odd distinct characters), made
here from a seeded grammar so that it is free of copyright and the same on
every machine. Each story introduces a character, a place and an object and
refers back to them, so that a model can learn words, agreement, punctuation
and some longer-range structure. norm-train holds out the last 10% as the
validation split.

Usage: make_corpus.py [-o corpus.txt] [--bytes N] [--seed S]
"""

import argparse
import os
import random

NAMES = [("anna", "she"), ("ben", "he"), ("clara", "she"), ("david", "he"), ("emma", "she"), ("felix", "he"),
         ("grace", "she"), ("henry", "he"), ("ivy", "she"), ("jack", "he"), ("lucy", "she"), ("max", "he"),
         ("nora", "she"), ("oscar", "he"), ("rosa", "she"), ("sam", "he"), ("tom", "he"), ("vera", "she")]
ANIMALS = ["cat", "dog", "fox", "owl", "rabbit", "horse", "duck", "mouse", "bear", "frog", "goat", "bird"]
ADJECTIVES = ["little", "big", "old", "young", "happy", "sleepy", "clever", "brave", "quiet", "funny", "kind", "shy"]
COLOURS = ["red", "blue", "green", "yellow", "white", "black", "brown", "golden", "silver", "orange"]
OBJECTS = ["ball", "kite", "book", "hat", "cake", "box", "key", "boat", "lamp", "shell", "stone", "apple", "drum"]
PLACES = ["garden", "forest", "river", "park", "kitchen", "village", "market", "beach", "hill", "barn", "school"]
FEELINGS = ["happy", "sad", "tired", "surprised", "proud", "worried", "excited", "hungry", "calm"]
TIMES = ["one morning", "one evening", "on a sunny day", "on a rainy day", "after lunch", "late at night",
         "in the spring", "in the winter", "at noon"]
VERBS_FIND = ["found", "saw", "lost", "made", "wanted", "bought", "carried", "hid"]
VERBS_GO = ["walked", "ran", "went", "hurried", "danced", "climbed"]
SAYINGS = ["let us play", "where is it", "look at this", "i am here", "this is fun", "thank you", "come with me",
           "what a day", "i can help", "it is mine"]


def story(r):
    name, pron = r.choice(NAMES)
    poss = "her" if pron == "she" else "his"
    friend, fpron = r.choice([n for n in NAMES if n[0] != name])
    animal, adj, colour = r.choice(ANIMALS), r.choice(ADJECTIVES), r.choice(COLOURS)
    obj, place, place2 = r.choice(OBJECTS), r.choice(PLACES), r.choice(PLACES)
    time, feeling = r.choice(TIMES), r.choice(FEELINGS)
    n = r.randint(2, 4)
    s = [f"{time}, {name} {r.choice(VERBS_GO)} to the {place}.",
         f"there {pron} {r.choice(VERBS_FIND)} a {colour} {obj}.",
         f"{pron} was {feeling}."]
    if r.random() < 0.6:
        s.append(f"a {adj} {animal} came to {name} and looked at the {obj}.")
        s.append(f"the {animal} was {r.choice(ADJECTIVES)} and {r.choice(FEELINGS)}.")
    s.append(f"{name} said, \"{r.choice(SAYINGS)}!\"")
    if r.random() < 0.7:
        s.append(f"then {friend} came too, and {fpron} asked, \"is this your {obj}?\"")
        s.append(f"\"yes,\" said {name}, \"it is my {colour} {obj}.\"")
    s.append(f"they {r.choice(VERBS_GO)} to the {place2} with the {obj}" +
             (f" and {n} {animal}s." if r.random() < 0.5 else "."))
    if r.random() < 0.5:
        s.append(f"{name} gave the {obj} to {friend}, and {friend} put it in {poss} bag.")
    s.append(f"at the end of the day, {name} was {r.choice(FEELINGS)}.")
    return " ".join(s)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("-o", dest="output", default=os.path.join(here, "corpus.txt"))
    parser.add_argument("--bytes", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    r = random.Random(args.seed)
    parts, size = [], 0
    while size < args.bytes:
        parts.append(story(r) + "\n")
        size += len(parts[-1])
    with open(args.output, "w") as f:
        f.write("".join(parts))


if __name__ == "__main__":
    main()
