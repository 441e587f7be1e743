"""Tests of the generator (forgegen), stage by stage."""
