"""A cluster's settings, on any machine without one: ELASTICSEARCH_URL as a list of nodes, the
shards and replicas the index template gets, and a client that fails over from a dead node to
a live one. (The failover of a real cluster under load is test_elastic_cluster.py.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import create_autospec

import pytest
from elasticsearch import Elasticsearch

from marketplace.config import ConfigError, load_config
from marketplace.search_backend import settings_from
from search.backends import open_backend
from search.elastic import ElasticsearchSearch
from search.elastic_client import connect, node_urls
from tests.conftest import free_port

NODES = "http://es1.internal:9200, https://es2.internal:9200"


def test_elasticsearch_url_takes_every_node_of_a_cluster(tmp_path):
    config = load_config({"ELASTICSEARCH_URL": NODES}, str(tmp_path))
    assert config["ELASTICSEARCH_URL"] == "http://es1.internal:9200,https://es2.internal:9200"
    engine = open_backend(settings_from(config))
    assert isinstance(engine, ElasticsearchSearch)
    hosts = sorted(node.base_url for node in engine.client.transport.node_pool.all())
    assert hosts == ["http://es1.internal:9200", "https://es2.internal:9200"]


@pytest.mark.parametrize(
    "environ",
    [
        {"ELASTICSEARCH_URL": "http://es1:9200,,http://es2:9200"},
        {"ELASTICSEARCH_URL": "http://es1:9200,es2:9200"},
        {"ELASTICSEARCH_URL": "http://es1:9200,"},
        {"ELASTICSEARCH_SHARDS": "0"},
        {"ELASTICSEARCH_REPLICAS": "-1"},
        {"ELASTICSEARCH_REPLICAS": "one"},
    ],
)
def test_bad_cluster_settings_stop_the_start_naming_the_variable(tmp_path, environ):
    [named] = environ
    with pytest.raises(ConfigError, match=named):
        load_config(environ, str(tmp_path))


def test_node_urls_refuse_an_empty_list():
    assert node_urls(" http://a:1 ,http://b:2") == ["http://a:1", "http://b:2"]
    with pytest.raises(ValueError, match="no Elasticsearch node"):
        node_urls(" , ")


def test_shards_and_replicas_reach_the_index_template_and_the_live_index(tmp_path):
    config = load_config(
        {"ELASTICSEARCH_URL": NODES, "ELASTICSEARCH_SHARDS": "3", "ELASTICSEARCH_REPLICAS": "2"},
        str(tmp_path),
    )
    engine = open_backend(settings_from(config))
    engine.client = create_autospec(Elasticsearch, instance=True)
    indices_class = type(Elasticsearch("http://127.0.0.1:9").indices)
    engine.client.indices = create_autospec(indices_class, instance=True)
    engine.client.indices.exists_alias.return_value = True  # an index made before
    engine.client.count.return_value = {"count": 0}
    engine.count()
    template = engine.client.indices.put_index_template.call_args.kwargs["template"]
    assert template["settings"]["number_of_shards"] == 3
    assert template["settings"]["number_of_replicas"] == 2
    # Replicas change on a live index (shards only with a rebuild, which makes a new index).
    engine.client.indices.put_settings.assert_called_once_with(
        index=engine.alias, settings={"number_of_replicas": 2}
    )


def test_a_rebuild_fills_without_copies_and_serves_once_copied(monkeypatch):
    engine = ElasticsearchSearch("http://127.0.0.1:9", "test", replicas=1)
    engine.client = create_autospec(Elasticsearch, instance=True)
    for part in ("indices", "cluster"):  # set per instance by the client: specced separately
        setattr(
            engine.client,
            part,
            create_autospec(
                type(getattr(Elasticsearch("http://127.0.0.1:9"), part)), instance=True
            ),
        )
    engine.client.options.return_value = engine.client  # the same calls, longer timeouts
    engine.client.cluster.health.return_value = {"number_of_data_nodes": 2}
    engine.client.indices.exists_alias.return_value = False

    def streaming_bulk(client, actions, **options):
        client.bulk(operations=list(actions))  # where the documents go, among the calls
        yield True, {}

    monkeypatch.setattr("search.elastic.helpers.streaming_bulk", streaming_bulk)
    engine.rebuild(iter([{"id": 1, "version": 1, "name": "Seamless Pipe", "city": "Pune"}]))
    calls = [(name, kwargs) for name, _, kwargs in engine.client.mock_calls if name != "options"]
    names = [name for name, _ in calls]
    bulk = names.index("bulk")
    replicas = [
        (i, kwargs["settings"].get("number_of_replicas"))
        for i, (name, kwargs) in enumerate(calls)
        if name == "indices.put_settings"
    ]
    assert [n for i, n in replicas if i < bulk] == [0]  # filled with no copies
    assert [n for i, n in replicas if i > bulk] == [1]  # then copied
    [waited] = [
        i
        for i, (name, kwargs) in enumerate(calls)
        if name == "cluster.health" and kwargs.get("wait_for_status") == "green"
    ]
    assert bulk < waited < names.index("indices.update_aliases")  # served once copied


class _Node(BaseHTTPRequestHandler):
    """Just enough of an Elasticsearch node to answer the client's ping."""

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def live_node() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Node)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_every_request_reaches_the_surviving_node(live_node):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: refused, as after a kill -9
    client = connect([dead, live_node])
    # Round robin sends every other request to the dead node first; each must still answer.
    assert all(client.ping() for _ in range(10))
    # The dead node is set aside: the next requests go straight to the live one.
    assert {client.transport.node_pool.get().base_url for _ in range(4)} == {live_node}
