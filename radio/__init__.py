"""The station engine: programme grid, storage, media, playout, supervision and CLI."""
