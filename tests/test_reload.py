"""Live reloading: a changed guide folder goes into service only when it loads without new errors."""
from __future__ import annotations

import shutil
import threading

from kiosk.dialogue import Dialogue, Heard, ShowGuide
from staff_helpers import add_second_guide as _write_second
from kiosk.staff.reload import MISSING, OK, REJECTED, KnowledgeReloader

class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _reloader(guide_dir, centre, clock, **kw):
    return KnowledgeReloader(guide_dir, centre, clock=clock, settle_seconds=2.0, **kw)


def test_a_new_guide_goes_into_service_once_the_change_has_settled(guide_dir, centre):
    clock = Clock()
    swapped = []
    r = _reloader(guide_dir, centre, clock, on_swap=swapped.append)
    first = r.current
    assert len(first.kb) == 1 and r.status.state == OK and first.generation == 1
    assert r.poll() is False  # nothing changed
    _write_second(guide_dir)
    assert r.poll() is False and r.current is first  # changed just now: wait for it to settle
    clock.t += 2.5
    assert r.poll() is True
    new = r.current
    assert [g.id for g in new.kb.guides] == ["assistance-01", "assistance-03"]
    assert new.generation == 2 and swapped == [new]
    assert new.matcher.match("低收入认定怎么办").best.id == "assistance-03"
    assert all(c.id != "assistance-03" for c in first.matcher.match("低收入认定怎么办").candidates)  # untouched
    assert r.status.state == OK and "2 个指南" in r.status.message
    assert r.poll() is False  # loaded: no reload again


def test_settled_says_whether_the_folder_as_it_is_now_was_loaded(guide_dir, centre):
    clock = Clock()
    r = _reloader(guide_dir, centre, clock)
    r.poll()
    assert r.settled()
    _write_second(guide_dir)
    assert not r.settled()  # changed, not loaded yet
    r.poll()
    assert not r.settled()  # waiting for the change to settle
    clock.t += 2.5
    r.poll()
    assert r.settled()


def test_a_file_still_being_written_is_not_loaded_half_way(guide_dir, centre):
    clock = Clock()
    r = _reloader(guide_dir, centre, clock)
    path = _write_second(guide_dir)
    full = path.read_text(encoding="utf-8")
    path.write_text(full[: len(full) // 2], encoding="utf-8")
    r.poll()
    clock.t += 1
    path.write_text(full, encoding="utf-8")  # the copy finishes before the change settled
    assert r.poll() is False
    clock.t += 2.5
    assert r.poll() is True
    assert r.status.state == OK and len(r.current.kb) == 2


def test_a_broken_edit_is_rejected_with_path_line_and_the_last_good_pair_stays(guide_dir, centre, cli):
    clock = Clock()
    r = _reloader(guide_dir, centre, clock)
    good = r.current
    path = guide_dir / "assistance" / "assistance-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("fees: 不收费", "fees: 待补充").replace("    count: 1\n", "    count: 一份\n", 1),
                    encoding="utf-8")
    clock.t += 3
    r.poll()
    clock.t += 3
    assert r.poll() is False
    assert r.current is good and good.kb.get("assistance-01") is not None
    assert r.status.state == REJECTED
    assert "2 处新的错误" in r.status.message and "仍在使用之前的 1 个指南" in r.status.message
    # the same path:line messages kiosk validate prints
    validate = cli("validate", str(guide_dir), "-q").out.splitlines()
    assert [str(p) for p in r.status.problems] == validate
    assert all(str(p).startswith(f"{guide_dir}/assistance/assistance-01.yaml:") for p in r.status.problems)
    # fixed: back in service as a new generation
    path.write_text(text.replace("summary: 家里", "summary: 家庭"), encoding="utf-8")
    clock.t += 3
    r.poll()
    clock.t += 3
    assert r.poll() is True
    assert r.status.state == OK and r.current.kb.get("assistance-01").summary.startswith("家庭")


def test_errors_that_were_already_there_do_not_block_other_changes(guide_dir, centre):
    clock = Clock()
    bad = guide_dir / "assistance" / "assistance-02.yaml"
    bad.write_text("id: assistance-02\ntitle: [\n", encoding="utf-8")  # broken from the start
    r = _reloader(guide_dir, centre, clock)
    assert len(r.current.kb) == 1 and r.status.state == OK and "1 处错误" in r.status.message
    _write_second(guide_dir)
    clock.t += 3
    r.poll()
    clock.t += 3
    assert r.poll() is True and len(r.current.kb) == 2


def test_deleting_a_guide_listed_in_the_catalogue_is_rejected(guide_dir, centre):
    clock = Clock()
    (guide_dir / "catalogue.tsv").write_text(
        "id\tcategory\tcategory_name\ttitle\tseed_aliases\n"
        "assistance-01\tassistance\t社会救助\t城乡居民最低生活保障申请\t低保\n", encoding="utf-8")
    r = _reloader(guide_dir, centre, clock)
    (guide_dir / "assistance" / "assistance-01.yaml").unlink()
    clock.t += 3
    r.poll()
    clock.t += 3
    assert r.poll() is False
    assert r.status.state == REJECTED and "缺少事项 assistance-01" in r.status.problems[0].message
    assert r.current.kb.get("assistance-01") is not None


def test_guide_folder_vanishing_keeps_the_last_good_pair_and_recovers(guide_dir, centre, tmp_path):
    clock = Clock()
    r = _reloader(guide_dir, centre, clock)
    good = r.current
    away = tmp_path / "away"
    shutil.move(guide_dir, away)
    assert r.poll() is False
    assert r.status.state == MISSING and "不存在或无法访问" in r.status.message and "1 个指南" in r.status.message
    assert r.current is good and r.current.matcher.match("低保怎么申请").best.id == "assistance-01"
    clock.t += 10
    assert r.poll() is False and r.status.state == MISSING
    shutil.move(away, guide_dir)  # back as it was: nothing to load
    assert r.poll() is False
    assert r.status.state == OK and r.current is good
    shutil.move(guide_dir, away)
    r.poll()
    _write_second(away)
    shutil.move(away, guide_dir)  # back with a new guide
    r.poll()
    clock.t += 3
    assert r.poll() is True and len(r.current.kb) == 2


def test_a_loader_crash_keeps_the_kiosk_running(guide_dir, centre):
    clock = Clock()
    calls = []

    def flaky(directory, c):
        from kiosk.knowledge import load_directory

        calls.append(1)
        if len(calls) > 1:
            raise RecursionError("boom")
        return load_directory(directory, c)

    r = _reloader(guide_dir, centre, clock, load=flaky)
    good = r.current
    _write_second(guide_dir)
    clock.t += 3
    r.poll()
    clock.t += 3
    assert r.poll() is False
    assert r.current is good and r.status.state == REJECTED
    assert "加载指南时出错：boom" in r.status.problems[0].message


def test_missing_folder_at_start_serves_nothing_and_loads_when_it_appears(tmp_path, centre, guide_dir):
    clock = Clock()
    later = tmp_path / "later"
    r = _reloader(later, centre, clock)
    assert len(r.current.kb) == 0 and r.status.state == MISSING
    shutil.copytree(guide_dir, later)
    r.poll()
    clock.t += 3
    assert r.poll() is True and len(r.current.kb) == 1 and r.status.state == OK


def test_a_swap_reaches_the_dialogue_as_one_pair(guide_dir, centre):
    clock = Clock()
    r = _reloader(guide_dir, centre, clock)
    dialogue = Dialogue(r.current.kb, r.current.matcher)
    r.on_swap = lambda k: k.apply_to(dialogue)
    _write_second(guide_dir)
    r.reload()
    assert dialogue.kb is r.current.kb and dialogue.matcher is r.current.matcher
    actions = dialogue.handle(Heard("低收入认定要带什么材料"), now=1.0)
    shown = [a for a in actions if isinstance(a, ShowGuide)]
    assert shown and shown[0].guide.id == "assistance-03"


def test_every_generation_pairs_a_matcher_with_its_own_knowledge_base(guide_dir, centre):
    clock = Clock()
    r = _reloader(guide_dir, centre, clock)
    first = r.current
    assert {g.id for g in first.kb.guides} == {"assistance-01"}
    assert {e.id for e in first.matcher.ranker.entries if e.referral is None} == {"assistance-01"}
    _write_second(guide_dir)
    r.reload()
    k = r.current
    assert k is not first and {g.id for g in k.kb.guides} == {"assistance-01", "assistance-03"}
    assert {e.id for e in k.matcher.ranker.entries if e.referral is None} == {g.id for g in k.kb.guides}
    # each matcher answers with guides of its own knowledge base
    question = "认定低收入困难家庭去哪里办"
    assert k.matcher.match(question).best.id == "assistance-03" and k.kb.get("assistance-03") is not None
    assert first.matcher.match(question).best.id != "assistance-03" and first.kb.get("assistance-03") is None


def _reloader_threads() -> set:
    return {t for t in threading.enumerate() if t.name == "kiosk-guide-reloader"}


def test_background_thread_picks_up_a_change_and_stops_cleanly(guide_dir, centre):
    before = _reloader_threads()
    done = threading.Event()
    swapped_on = []

    def on_swap(k):
        swapped_on.append(threading.current_thread())
        done.set()

    r = KnowledgeReloader(guide_dir, centre, settle_seconds=0.0, interval=0.01, on_swap=on_swap)
    r.start()
    r.start()  # idempotent: still one thread
    (mine,) = _reloader_threads() - before
    assert mine.is_alive() and mine.daemon
    _write_second(guide_dir)
    assert done.wait(30), r.status
    r.stop()
    assert not mine.is_alive()
    assert swapped_on == [mine]  # the swap came from the reloader's own thread
    assert len(r.current.kb) == 2


def test_from_config_reads_the_reload_section(guide_dir):
    from kiosk.config import load_config

    config = load_config(env={}).with_overrides({"guides_dir": str(guide_dir),
                                                 "reload": {"interval_seconds": 7, "settle_seconds": 1}})
    r = KnowledgeReloader.from_config(config)
    assert (r.interval, r.settle_seconds) == (7.0, 1.0) and len(r.current.kb) == 1
