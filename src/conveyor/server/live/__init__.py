"""Live streams: an in-memory fan-out of build events, step lines and pull progress to
Server-Sent Events readers (`/api/stream`)."""
