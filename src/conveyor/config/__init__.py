"""The config room: `.drone.yml` text to the spec model, with a position for every node.

Entry points live in `conveyor.config.loader` (`load_file`, `load_bytes`, `load_text`,
`LoadResult`); this package module imports nothing so that importing the room stays cheap.
"""
