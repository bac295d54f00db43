"""The compiler room: spec + build context -> plan, as small named passes (no I/O).

`compile_pipeline(pipeline, ctx)` and `select_pipeline(file, name)` live in
`conveyor.compiler.compile`; `BuildContext` in `conveyor.compiler.context`.
"""
