package marketplace.es.standin;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.tartarus.snowball.ext.EnglishStemmer;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * {@code stemmer}: the English stemmers of Elasticsearch's stemmer filter, chosen by the setting
 * {@code language} (or {@code name}), with Elasticsearch's mapping of names to Lucene filters:
 * {@code english} and {@code porter} are Porter, {@code light_english} and {@code kstem} are
 * KStem, {@code minimal_english}, {@code possessive_english}, {@code porter2} (Snowball English).
 * Other languages are refused, so a template that needs one fails loudly instead of silently.
 */
public class StemmerFilterFactory extends AbstractTokenFilterFactory {

    private final UnaryOperator<TokenStream> stemmer;

    public StemmerFilterFactory(IndexSettings indexSettings, Environment environment, String name, Settings settings) {
        super(name, settings);
        String language = settings.get("language", settings.get("name", "porter")).toLowerCase(Locale.ROOT);
        this.stemmer = switch (language) {
            case "english", "porter" -> PorterStemFilter::new;
            case "light_english", "lightenglish", "kstem" -> KStemFilter::new;
            case "minimal_english", "minimalenglish" -> EnglishMinimalStemFilter::new;
            case "possessive_english", "possessiveenglish" -> EnglishPossessiveFilter::new;
            case "porter2" -> ts -> new SnowballFilter(ts, new EnglishStemmer());
            default -> throw new IllegalArgumentException(
                "stemmer language [" + language + "] is not supplied by the test node's stand-in plugin "
                    + "(only the English stemmers are)"
            );
        };
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return stemmer.apply(tokenStream);
    }
}
