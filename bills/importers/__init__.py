"""Importers turn a bill's source file into a tree of provisions (see base.py)."""
