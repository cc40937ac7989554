"""Scale-out: a build on a local Dask cluster equals a local build, byte for byte."""

from __future__ import annotations

import pytest
from test_parallel import assert_same_tree, load_make_corpus, tree

from publikasi.builder import BuildOptions, build
from publikasi.errors import InputError

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist-corpus")
    load_make_corpus().generate(6, out, seed=5, per_release=3)
    return out / "source"


def test_cluster_build_equals_local_build(client, corpus, tmp_path):
    from publikasi.distributed import build_distributed

    local = build(corpus, tmp_path / "local", BuildOptions(cache=False, jobs=1))
    remote = build_distributed(corpus, tmp_path / "remote", BuildOptions(cache=False),
                               client=client)
    assert remote.stats["runner"] == "DaskRunner"
    assert remote.stats["ran"] == local.stats["ran"]  # every task went to the cluster
    assert [p.name for p in remote.files] == [p.name for p in local.files]
    assert remote.warnings == local.warnings
    assert_same_tree(tmp_path / "local", tmp_path / "remote")
    # The tasks really ran in other processes: the workers' pids differ from ours.
    import os

    pids = set(client.run(os.getpid).values())
    assert os.getpid() not in pids and len(pids) == 2


def test_cluster_build_uses_the_client_side_cache(client, corpus, tmp_path):
    from publikasi.distributed import build_distributed

    cache = tmp_path / "cache"
    first = build_distributed(corpus, tmp_path / "a", BuildOptions(cache_dir=cache),
                              client=client)
    assert first.stats["ran"]
    again = build_distributed(corpus, tmp_path / "b", BuildOptions(cache_dir=cache),
                              client=client)
    assert again.stats["ran"] == []
    assert_same_tree(tmp_path / "a", tmp_path / "b")
    assert tree(tmp_path / "b") == tree(tmp_path / "a")


def test_worker_input_error_reaches_the_user(client, corpus, tmp_path):
    import shutil

    from publikasi.distributed import build_distributed

    src = tmp_path / "src"
    shutil.copytree(corpus, src)
    # Break a picture after the client has read the sources: only a worker sees it.
    photo = sorted(src.rglob("foto-*.jpg"))[0]
    original = photo.read_bytes()
    from publikasi import source as source_mod

    real_load = source_mod.load

    def load_then_break(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        photo.write_bytes(original[:1500])
        return loaded

    import publikasi.builder as build_mod

    build_mod.load, saved = load_then_break, build_mod.load
    try:
        with pytest.raises(InputError) as err:
            build_distributed(src, tmp_path / "out", BuildOptions(cache=False,
                                                                 formats=["epub"]),
                              client=client)
    finally:
        build_mod.load = saved
    assert any(photo.name in str(p) for p in err.value.problems)
    assert not (tmp_path / "out").exists()
