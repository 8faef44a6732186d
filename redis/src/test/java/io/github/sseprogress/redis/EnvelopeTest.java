package io.github.sseprogress.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** Messages from Redis are untrusted: only well-formed, valid envelopes are accepted, nothing else throws. */
class EnvelopeTest {

    private static final int MAX = 1 << 20;

    @Test
    void aTopicEventAndAJobEventAsTheScriptsWriteThem() throws Exception {
        Envelope t = Envelope.parse("{\"v\":1,\"k\":\"t\",\"t\":\"/devices?x=1\",\"e\":\"abc\",\"s\":7,\"d\":\"{\\\"a\\\":1}\",\"n\":\"tick\"}", MAX);
        assertThat(t.kind()).isEqualTo('t');
        assertThat(t.topic()).isEqualTo("/devices?x=1");
        assertThat(t.seq()).isEqualTo(7);
        assertThat(t.name()).isEqualTo("tick");
        assertThat(t.data()).isEqualTo("{\"a\":1}");
        assertThat(t.loss()).isFalse();
        Envelope j = Envelope.parse("{\"v\":1,\"k\":\"j\",\"t\":\"scan/1\",\"r\":\"r1\",\"s\":3,\"d\":\"x\",\"j\":false,\"f\":true}", MAX);
        assertThat(j.kind()).isEqualTo('j');
        assertThat(j.terminal()).isTrue();
        assertThat(j.json()).isFalse();
        Envelope loss = Envelope.parse("{\"v\":1,\"k\":\"t\",\"t\":\"a\",\"e\":\"abc\",\"s\":2,\"d\":\"\",\"l\":true}", MAX);
        assertThat(loss.loss()).isTrue();
        Envelope cancel = Envelope.parse("{\"v\":1,\"k\":\"c\",\"t\":\"scan/1\",\"r\":\"r1\"}", MAX);
        assertThat(cancel.kind()).isEqualTo('c');
        assertThat(cancel.topic()).isEqualTo("scan/1");
        assertThat(cancel.run()).isEqualTo("r1");
    }

    @Test
    void invalidOnesAreRefusedWithAReason() {
        String[] bad = {
            "", "null", "1", "\"s\"", "[]", "{}", "{\"v\":1}", "{\"v\":\"1\",\"k\":\"t\"}", "{\"v\":1.5,\"k\":\"t\"}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"a\",\"e\":\"x\",\"s\":0,\"d\":\"\"}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"a\",\"e\":\"x\",\"s\":99999999999999999999,\"d\":\"\"}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"a\",\"e\":\"x y\",\"s\":1,\"d\":\"\"}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"\",\"e\":\"x\",\"s\":1,\"d\":\"\"}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"a\\r\",\"e\":\"x\",\"s\":1,\"d\":\"\"}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"a\",\"e\":\"x\",\"s\":1,\"d\":7}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"a\",\"e\":\"x\",\"s\":1,\"d\":\"\",\"n\":\"a\\rb\"}",
            "{\"v\":1,\"k\":\"t\",\"t\":\"a\",\"e\":\"x\",\"s\":1,\"d\":\"\",\"l\":\"yes\"}",
            "{\"v\":1,\"k\":\"j\",\"t\":\"a\",\"r\":\"r\",\"s\":1,\"d\":\"\",\"j\":true}",
            "{\"v\":1,\"k\":\"c\",\"t\":\"a\"}", "{\"v\":1,\"k\":\"c\",\"t\":\"a\",\"r\":\"r 1\"}",
            "{\"v\":1,\"k\":\"c\",\"r\":\"r1\"}",
            "{\"v\":1,\"k\":\"q\"}", "{\"v\":1,\"k\":\"t\"", "{\"v\":1,\"k\":\"t\"}}",
        };
        for (String b : bad) {
            assertThatThrownBy(() -> Envelope.parse(b, MAX)).as(b).isInstanceOf(Envelope.Malformed.class);
        }
        assertThatThrownBy(() -> Envelope.parse("{\"v\":1,\"k\":\"p\",\"o\":\"n\",\"s\":1}" + " ".repeat(100), 50))
                .isInstanceOf(Envelope.Malformed.class).hasMessageContaining("larger");
    }

    @Test
    void randomBytesAndMutationsNeverThrowAnythingElse() {
        Random random = new Random(42);
        String valid = "{\"v\":1,\"k\":\"t\",\"t\":\"topic\",\"e\":\"ep\",\"s\":12,\"d\":\"data\\nmore\",\"n\":\"name\"}";
        String alphabet = "{}[]\":,\\0123456789.-+eEtruefalsn vkdlsjrfpo\u0000\u2028\r\n\u00e9";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder m = new StringBuilder(valid);
            int edits = 1 + random.nextInt(4);
            for (int k = 0; k < edits && m.length() > 0; k++) {
                int at = random.nextInt(m.length());
                switch (random.nextInt(3)) {
                    case 0 -> m.deleteCharAt(at);
                    case 1 -> m.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> m.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String text = i % 5 == 0 ? randomText(random, alphabet) : m.toString();
            try {
                Envelope e = Envelope.parse(text, MAX);
                // whatever is accepted is valid for a client
                assertThat(e.kind()).isIn('t', 'j', 'p');
                if (e.data() != null) {
                    assertThat(e.data()).doesNotContain("\r");
                }
                if (e.topic() != null) {
                    assertThat(e.topic()).isNotEmpty().doesNotContain("\n", "\r", "\u0000");
                }
                if (e.name() != null) {
                    assertThat(e.name()).doesNotContain("\n", "\r");
                }
            } catch (Envelope.Malformed expected) {
                // dropped and counted by the engine
            }
        }
    }

    private static String randomText(Random random, String alphabet) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(80);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
