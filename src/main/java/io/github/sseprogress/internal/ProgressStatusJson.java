package io.github.sseprogress.internal;

import java.util.Locale;

import io.github.sseprogress.Progress;

import jakarta.json.bind.adapter.JsonbAdapter;

/**
 * The JSON-B adapter of {@link Progress.Status}: the lower-case wire form ({@code processing},
 * {@code completed}, {@code failed}). Public only because the server's JSON-B instantiates it (for the
 * library's events and for an application that returns a {@code Progress} from a resource); not API.
 */
public final class ProgressStatusJson implements JsonbAdapter<Progress.Status, String> {

    @Override
    public String adaptToJson(Progress.Status status) {
        return status.wireName();
    }

    @Override
    public Progress.Status adaptFromJson(String json) {
        return Progress.Status.valueOf(json.trim().toUpperCase(Locale.ROOT));
    }
}
