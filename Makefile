# Signpost: `make run` and `make test` are all a newcomer needs. Each sets up only what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

export RASA_TELEMETRY_ENABLED := false
export SIGNPOST_DIRECTORY_DB ?= var/directory.db
export SIGNPOST_TRACKER_DB ?= var/tracker.db
export SIGNPOST_GEO_DB ?= var/geo.db
export SIGNPOST_CHAT_SESSIONS_DB ?= var/chat_sessions.db
export SIGNPOST_PORT ?= 8080
export SIGNPOST_RASA_PORT ?= 5005
export SIGNPOST_ACTIONS_PORT ?= 5055
export PYTHONPATH := $(CURDIR)

WEB := .venv/web/bin/python
RASA := .venv/rasa/bin/python

.PHONY: help setup run test test-faults directory staff train eval bench purge clean

help:
	@echo "make run    - set up what is missing, seed the sample directory, train, start everything"
	@echo "make test   - set up what is missing and run every test"
	@echo "make directory ARGS='search --term stay_and_play --near BB3'  - the directory command line"
	@echo "make staff ARGS='create USER --role admin'  - manage staff accounts"
	@echo "make test-faults - kill -9 each tier, concurrent writes, full disk, a short load run, real PostgreSQL+Redis"
	@echo "make eval | make bench | make purge | make train"

setup:
	@scripts/setup.sh all >&2
	@scripts/prepare.sh >&2

run: setup
	@scripts/train.sh >&2
	@scripts/run.sh

test: setup
	@scripts/setup.sh node >&2
	@scripts/setup.sh chromium >&2
	@scripts/train.sh >&2
	@scripts/test.sh

test-faults: setup
	@scripts/train.sh >&2
	@scripts/test_faults.sh

directory:
	@scripts/setup.sh web >&2
	@$(WEB) -m directory $(ARGS)

staff:
	@scripts/setup.sh web >&2
	@$(WEB) -m web.staff $(ARGS)

train: setup
	@scripts/train.sh

eval: setup
	@$(RASA) -m bot.safety.evaluate --set heldout
	@$(RASA) -m bot.safety.evaluate --set heldout --model models/signpost.tar.gz
	@$(RASA) -m bot.nlu.evaluate
	@scripts/train.sh >&2
	@$(WEB) -m evaluation.conversations

bench: setup
	@scripts/train.sh >&2
	@$(WEB) bench/all.py

purge:
	@scripts/setup.sh web >&2
	@$(WEB) -m web.retention

clean:
	rm -rf .venv var models node_modules test-output
