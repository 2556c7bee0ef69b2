package marketplace.es.standin;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.util.List;
import java.util.function.Function;

/**
 * {@code synonym_graph} with inline {@code synonyms} in Solr format ("ss, stainless steel",
 * "a, b => c"), settings {@code expand} (true) and {@code lenient} (false).
 *
 * As in Elasticsearch, the rules are parsed with the part of the analyzer that comes before this
 * filter (its tokenizer, char filters and earlier token filters), so "Stainless Steel" in a rule
 * meets the same tokens as the text. Files ({@code synonyms_path}) and synonym sets are not
 * supported.
 */
public class SynonymGraphFilterFactory extends AbstractTokenFilterFactory {

    private final List<String> rules;
    private final boolean expand;
    private final boolean lenient;
    private volatile SynonymMap standalone; // for use outside an analyzer chain

    public SynonymGraphFilterFactory(String name, Settings settings) {
        super(name, settings);
        if (settings.get("synonyms_path") != null || settings.get("synonyms_set") != null) {
            throw new IllegalArgumentException(
                "synonym_graph [" + name + "]: only inline [synonyms] are supported on the test node"
            );
        }
        String format = settings.get("format", "solr");
        if ("solr".equals(format) == false) {
            throw new IllegalArgumentException("synonym_graph [" + name + "]: only the solr format is supported on the test node");
        }
        this.rules = settings.getAsList("synonyms", List.of());
        this.expand = settings.getAsBoolean("expand", true);
        this.lenient = settings.getAsBoolean("lenient", false);
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        // Only reached outside an analyzer chain; parse with standard + lowercase + asciifolding.
        SynonymMap map = standalone;
        if (map == null) {
            Analyzer analyzer = new Analyzer() {
                @Override
                protected TokenStreamComponents createComponents(String fieldName) {
                    Tokenizer tokenizer = new StandardTokenizer();
                    return new TokenStreamComponents(tokenizer, new ASCIIFoldingFilter(new LowerCaseFilter(tokenizer)));
                }
            };
            try (analyzer) {
                map = standalone = build(analyzer);
            }
        }
        return filter(tokenStream, map);
    }

    @Override
    public TokenFilterFactory getChainAwareTokenFilterFactory(
        IndexCreationContext context,
        TokenizerFactory tokenizer,
        List<CharFilterFactory> charFilters,
        List<TokenFilterFactory> previousTokenFilters,
        Function<String, TokenFilterFactory> allFilters
    ) {
        SynonymMap map;
        try (
            Analyzer analyzer = new CustomAnalyzer(
                tokenizer,
                charFilters.toArray(new CharFilterFactory[0]),
                previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
            )
        ) {
            map = build(analyzer);
        }
        String name = name();
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream tokenStream) {
                return filter(tokenStream, map);
            }

            @Override
            public TokenFilterFactory getSynonymFilter() {
                // A later synonym filter parses its rules without this one, as in Elasticsearch.
                return IDENTITY_FILTER;
            }
        };
    }

    @Override
    public TokenFilterFactory getSynonymFilter() {
        return IDENTITY_FILTER;
    }

    private static TokenStream filter(TokenStream tokenStream, SynonymMap map) {
        // An empty map has no FST, and the filter refuses it.
        return map.fst == null ? tokenStream : new SynonymGraphFilter(tokenStream, map, false);
    }

    private SynonymMap build(Analyzer analyzer) {
        try {
            SolrSynonymParser parser = new SolrSynonymParser(true, expand, analyzer);
            if (lenient) {
                for (String rule : rules) {
                    try {
                        new SolrSynonymParser(true, expand, analyzer).parse(new StringReader(rule));
                    } catch (ParseException | IllegalArgumentException e) {
                        continue; // lenient: leave out a rule that does not parse
                    }
                    parser.parse(new StringReader(rule));
                }
            } else {
                parser.parse(new StringReader(String.join("\n", rules)));
            }
            return parser.build();
        } catch (ParseException e) {
            throw new IllegalArgumentException("synonym_graph [" + name() + "]: failed to parse synonyms: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
