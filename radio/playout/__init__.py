"""Playout: the Liquidsoap script, its control-socket client, Icecast's configuration."""
