package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/**
 * The built library jar, as a WAR receives it: it names its module ({@code Automatic-Module-Name},
 * the jar has no module-info), so applications on the module path get a stable name rather than
 * one derived from the file name.
 */
class LibraryJarIT {

    @Test
    void jarManifestNamesTheModule() throws IOException {
        String jar = System.getProperty("it.library.jar");
        assertNotNull(jar, "it.library.jar (set by the failsafe configuration)");
        try (JarFile file = new JarFile(Path.of(jar).toFile())) {
            assertNotNull(file.getManifest(), "manifest of " + jar);
            assertEquals("io.github.sseprogress",
                    file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"), "in " + jar);
        }
    }
}
