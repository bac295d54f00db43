"""Terminal output of `conveyor exec`: live step logs, pull progress, the summary table.

`ConsoleSink` is the runner's EventSink for people. rich is imported only by the parts that
draw (progress bars, the table), so importing this package stays cheap.
"""
