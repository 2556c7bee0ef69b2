package marketplace.es.standin;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteResponse;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.index.query.WrapperQueryBuilder;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /{index}/_delete_by_query}, simplified: the full distribution has it in its reindex
 * module, which the integ-test distribution leaves out.
 *
 * It runs in the request (no tasks, no slices, no throttling): search a batch of matching ids,
 * bulk-delete them, refresh, repeat until nothing matches. Documents are deleted without a version
 * check, so there are never version conflicts; custom routing is not supported. The answer has
 * the fields of the real one.
 */
public class DeleteByQueryAction extends BaseRestHandler {

    private static final Set<String> IGNORED_PARAMS = Set.of(
        "timeout",
        "slices",
        "requests_per_second",
        "scroll",
        "wait_for_active_shards",
        "ignore_unavailable",
        "allow_no_indices",
        "expand_wildcards",
        "search_timeout"
    );

    @Override
    public String getName() {
        return "standin_delete_by_query_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.POST, "/{index}/_delete_by_query"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        String[] indices = Strings.splitStringByCommaToArray(request.param("index"));
        boolean proceed = "proceed".equals(request.param("conflicts", "abort"));
        boolean refresh = request.paramAsBoolean("refresh", false);
        if (request.paramAsBoolean("wait_for_completion", true) == false) {
            throw new IllegalArgumentException("the test node's _delete_by_query only runs with wait_for_completion=true");
        }
        int batchSize = request.paramAsInt("scroll_size", 1000);
        long maxDocs = request.paramAsLong("max_docs", -1);
        IGNORED_PARAMS.forEach(request::param);

        QueryBuilder query = QueryBuilders.matchAllQuery();
        if (request.hasContent()) {
            Map<String, Object> body = XContentHelper.convertToMap(request.requiredContent(), false, request.getXContentType()).v2();
            for (Map.Entry<String, Object> entry : body.entrySet()) {
                switch (entry.getKey()) {
                    case "query" -> {
                        // Handed on as it came; the search parses it as any query.
                        XContentBuilder json = XContentFactory.jsonBuilder().value(entry.getValue());
                        query = new WrapperQueryBuilder(BytesReference.bytes(json));
                    }
                    case "max_docs" -> maxDocs = ((Number) entry.getValue()).longValue();
                    case "conflicts" -> proceed = "proceed".equals(entry.getValue());
                    default -> throw new IllegalArgumentException(
                        "the test node's _delete_by_query does not support [" + entry.getKey() + "] in the body"
                    );
                }
            }
        }
        Run run = new Run(client, indices, query, batchSize, maxDocs, proceed, refresh);
        return run::start;
    }

    private static final class Run {
        private final NodeClient client;
        private final String[] indices;
        private final QueryBuilder query;
        private final int batchSize;
        private final long maxDocs;
        private final boolean proceed;
        private final boolean refresh;
        private final long startNanos = System.nanoTime();
        private final List<BulkItemResponse.Failure> failures = new ArrayList<>();
        private RestChannel channel;
        private long total = -1;
        private long deleted;
        private long batches;
        private long conflicts;

        Run(NodeClient client, String[] indices, QueryBuilder query, int batchSize, long maxDocs, boolean proceed, boolean refresh) {
            this.client = client;
            this.indices = indices;
            this.query = query;
            this.batchSize = batchSize;
            this.maxDocs = maxDocs;
            this.proceed = proceed;
            this.refresh = refresh;
        }

        void start(RestChannel channel) {
            this.channel = channel;
            // Make the index's latest writes visible first, as a search-based delete would want.
            client.admin().indices().refresh(new RefreshRequest(indices), ActionListener.wrap(r -> nextBatch(), this::fail));
        }

        private void nextBatch() {
            int size = maxDocs < 0 ? batchSize : (int) Math.min(batchSize, maxDocs - deleted);
            SearchSourceBuilder source = new SearchSourceBuilder().query(query)
                .size(size)
                .fetchSource(false)
                .trackTotalHits(true)
                .sort("_doc");
            client.search(new SearchRequest(indices).source(source), ActionListener.wrap(this::onSearch, this::fail));
        }

        private void onSearch(SearchResponse response) throws IOException {
            if (total < 0) {
                long matching = response.getHits().getTotalHits().value;
                total = maxDocs < 0 ? matching : Math.min(matching, maxDocs);
            }
            SearchHit[] hits = response.getHits().getHits();
            if (hits.length == 0) {
                finish();
                return;
            }
            BulkRequest bulk = new BulkRequest();
            for (SearchHit hit : hits) {
                bulk.add(new DeleteRequest(hit.getIndex(), hit.getId()));
            }
            client.bulk(bulk, ActionListener.wrap(this::onBulk, this::fail));
        }

        private void onBulk(BulkResponse response) throws IOException {
            batches++;
            long done = 0;
            for (BulkItemResponse item : response.getItems()) {
                if (item.isFailed()) {
                    if (item.getFailure().getStatus() == RestStatus.CONFLICT) {
                        conflicts++;
                        if (proceed) {
                            continue;
                        }
                    }
                    failures.add(item.getFailure());
                } else if (item.getResponse().getResult() == DocWriteResponse.Result.DELETED) {
                    done++;
                }
            }
            deleted += done;
            if (failures.isEmpty() == false || done == 0 || (maxDocs >= 0 && deleted >= maxDocs)) {
                finish();
                return;
            }
            client.admin().indices().refresh(new RefreshRequest(indices), ActionListener.wrap(r -> nextBatch(), this::fail));
        }

        private void finish() throws IOException {
            if (refresh) {
                client.admin().indices().refresh(new RefreshRequest(indices), ActionListener.wrap(r -> respond(), this::fail));
            } else {
                respond();
            }
        }

        private void respond() throws IOException {
            XContentBuilder builder = channel.newBuilder();
            builder.startObject()
                .field("took", (System.nanoTime() - startNanos) / 1_000_000)
                .field("timed_out", false)
                .field("total", Math.max(total, 0))
                .field("deleted", deleted)
                .field("batches", batches)
                .field("version_conflicts", conflicts)
                .field("noops", 0)
                .startObject("retries")
                .field("bulk", 0)
                .field("search", 0)
                .endObject()
                .field("throttled_millis", 0)
                .field("requests_per_second", -1.0)
                .field("throttled_until_millis", 0)
                .startArray("failures");
            for (BulkItemResponse.Failure failure : failures) {
                builder.startObject()
                    .field("index", failure.getIndex())
                    .field("id", failure.getId())
                    .field("status", failure.getStatus().getStatus())
                    .field("cause", failure.getMessage())
                    .endObject();
            }
            builder.endArray().endObject();
            RestStatus status = failures.isEmpty() ? RestStatus.OK : failures.get(0).getStatus();
            channel.sendResponse(new RestResponse(status, builder));
        }

        private void fail(Exception e) {
            try {
                channel.sendResponse(new RestResponse(channel, e));
            } catch (IOException inner) {
                e.addSuppressed(inner);
                throw new RuntimeException(e);
            }
        }
    }
}
