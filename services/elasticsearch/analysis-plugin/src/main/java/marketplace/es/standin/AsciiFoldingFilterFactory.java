package marketplace.es.standin;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;

/** {@code asciifolding}: Lucene's ASCIIFoldingFilter; setting {@code preserve_original} (false). */
public class AsciiFoldingFilterFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {

    private final boolean preserveOriginal;

    public AsciiFoldingFilterFactory(IndexSettings indexSettings, Environment environment, String name, Settings settings) {
        super(name, settings);
        this.preserveOriginal = settings.getAsBoolean("preserve_original", false);
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
    }

    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        // A normalised term (a prefix, a wildcard, a keyword) is one term: fold, keep no original.
        return new ASCIIFoldingFilter(tokenStream, false);
    }
}
