# Two commands set everything up on a fresh machine:
#   make run    installs what the kiosk needs and starts it (full screen)
#   make test   installs what the tests need and runs them all
.PHONY: run test setup setup-test validate eval train bench shots clean

export SDL_VIDEODRIVER ?= offscreen
KIOSK = .venv/bin/kiosk

# Without a display `kiosk run` says so and points to `kiosk shots` (exit 2) instead of running unseen.
run:
	scripts/setup.sh ui,voice
	env -u SDL_VIDEODRIVER $(KIOSK) run

test:
	scripts/setup.sh ui,voice,test
	KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 .venv/bin/python -m pytest

validate:
	$(KIOSK) validate guides

eval:
	$(KIOSK) eval ../shared/eval/dev_queries.tsv
	$(KIOSK) eval ../shared/eval/dev2_queries.tsv
	$(KIOSK) eval tests/data/none_queries.tsv
	$(KIOSK) eval tests/data/heldout-2026-12-02/inscope_a.tsv tests/data/heldout-2026-12-02/inscope_b.tsv \
	  tests/data/heldout-2026-12-02/oos_a.tsv tests/data/heldout-2026-12-02/oos_b.tsv \
	  tests/data/heldout-2026-12-02/elderly.tsv
	$(KIOSK) eval tests/data/heldout-c/inscope_1.tsv tests/data/heldout-c/inscope_2.tsv \
	  tests/data/heldout-c/oos_1.tsv tests/data/heldout-c/oos_2.tsv
	$(KIOSK) eval tests/data/probe-d/inscope_A.tsv tests/data/probe-d/inscope_B.tsv tests/data/probe-d/oos.tsv \
	  tests/data/probe-e/inscope.tsv tests/data/probe-e/oos.tsv

# After guide edits: refit the guide model and the second stage's weights (about 3 minutes; scikit-learn).
train:
	scripts/setup.sh train
	$(KIOSK) train-rerank

bench:
	$(KIOSK) bench

shots:
	$(KIOSK) shots shots

clean:
	rm -rf .venv build *.egg-info .pytest_cache
