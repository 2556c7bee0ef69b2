package marketplace.es.standin;

import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Supplies, on Elastic's minimal integ-test distribution, the few pieces of the full
 * distribution's modules that the marketplace uses:
 *
 * <ul>
 *   <li>analysis-common: the token filters {@code asciifolding}, {@code stemmer} and
 *       {@code synonym_graph} (the server itself already has {@code lowercase} and the
 *       {@code standard} tokenizer);</li>
 *   <li>rest-root: {@code GET /} and {@code HEAD /} (the clients' info and ping);</li>
 *   <li>reindex: a simple, synchronous {@code _delete_by_query}.</li>
 * </ul>
 *
 * Everything is built on Lucene's own classes, as the real modules are.
 */
public class StandinPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private volatile ClusterService clusterService;

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService = services.clusterService();
        return List.of();
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "asciifolding", AsciiFoldingFilterFactory::new,
            "stemmer", StemmerFilterFactory::new,
            "synonym_graph", new AnalysisProvider<>() {
                @Override
                public TokenFilterFactory get(
                    org.elasticsearch.index.IndexSettings indexSettings,
                    org.elasticsearch.env.Environment environment,
                    String name,
                    Settings settings
                ) {
                    return new SynonymGraphFilterFactory(name, settings);
                }

                @Override
                public boolean requiresAnalysisSettings() {
                    return true;
                }
            }
        );
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootAction(() -> clusterService), new DeleteByQueryAction());
    }
}
