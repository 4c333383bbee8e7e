""".NET regular expressions and substitutions, and everything that reasons about patterns.

A library within the library: `dialect` translates .NET patterns to `regex`,
`substitution` applies .NET translations, `unrolling` bounds counted repeats,
`shape` gives a pattern's regular form, `parsed` reads the standard library's
parse trees, `prefilter` and `backtracking` let `matcher` take fast paths
safely, `language` and `witness` reason about the strings a pattern takes.
It imports nothing from the rest of `normalizer` but the shared vocabulary
(`errors`, `models`); the domain imports it, never the reverse.
"""
