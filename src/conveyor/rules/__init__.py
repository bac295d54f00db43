"""The one rule book of the Drone spec, below both `lint` and `compiler`.

Facts about what a pipeline may say (valid dependency names, cycles, the `failure:` and
`pull:` vocabularies, paths, globs, `${...}` substitution, environment names) live here
once: lint reports them with positions, the compiler applies them. Pure, no I/O.
"""
