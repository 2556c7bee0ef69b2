package marketplace.es.standin;

import org.apache.lucene.util.Version;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /} and {@code HEAD /}, the node's info and the clients' ping. The full distribution
 * has them in its rest-root module, which the integ-test distribution leaves out.
 */
public class RootAction extends BaseRestHandler {

    private final Supplier<ClusterService> clusterService;

    public RootAction(Supplier<ClusterService> clusterService) {
        this.clusterService = clusterService;
    }

    @Override
    public String getName() {
        return "standin_main_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
    }

    @Override
    public boolean canTripCircuitBreaker() {
        return false;
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        ClusterService cluster = clusterService.get();
        return channel -> {
            XContentBuilder builder = channel.newBuilder();
            if (request.method() == RestRequest.Method.HEAD) {
                channel.sendResponse(new RestResponse(RestStatus.OK, builder.getResponseContentTypeString(), BytesArray.EMPTY));
                return;
            }
            Build build = Build.current();
            builder.startObject();
            builder.field("name", cluster.getNodeName());
            builder.field("cluster_name", cluster.getClusterName().value());
            builder.field("cluster_uuid", cluster.state().metadata().clusterUUID());
            builder.startObject("version")
                .field("number", build.qualifiedVersion())
                .field("build_flavor", build.flavor())
                .field("build_type", build.type().displayName())
                .field("build_hash", build.hash())
                .field("build_date", build.date())
                .field("build_snapshot", build.isSnapshot())
                .field("lucene_version", Version.LATEST.toString())
                .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                .endObject();
            builder.field("tagline", "You Know, for Search");
            builder.endObject();
            channel.sendResponse(new RestResponse(RestStatus.OK, builder));
        };
    }
}
