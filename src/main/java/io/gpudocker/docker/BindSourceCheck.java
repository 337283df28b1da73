package io.gpudocker.docker;

import io.gpudocker.common.ManagedLabels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker resolves a bind's host path again at every start, following links. This service hands Docker only
 * real paths, free of links when the host-path policy checked them; a link found in one at a later start was put
 * there since, by whoever can write below an allowed root (a tenant, through another instance's bind), and would
 * mount wherever it points. Such a start is refused and the container stays stopped.
 */
final class BindSourceCheck {
    private static final Logger log = LoggerFactory.getLogger(BindSourceCheck.class);

    private BindSourceCheck() {}

    /**
     * @param binds  the container's binds as Docker holds them ({@code src:dest[:options]})
     * @param labels the container's labels: containers this service did not make (an original project's) keep
     *               their paths as their users wrote them, links and all, and are not judged here
     * @throws EngineException (400) naming only the bind's destination, never where the link leads
     */
    static void require(String nameOrId, List<String> binds, Map<String, String> labels) {
        if (!labels.containsKey(ManagedLabels.OWNER)) {
            return;
        }
        for (String bind : binds) {
            String[] parts = bind.split(":");
            if (parts.length < 2 || !parts[0].startsWith("/")) {
                continue;
            }
            Optional<Path> link = firstLink(Path.of(parts[0]));
            if (link.isPresent()) {
                log.warn("start of container {} refused: its bind {} now leads through the symbolic link {}, put there after the bind was checked",
                        nameOrId, bind, link.get());
                throw new EngineException(400, "container " + nameOrId + " was not started: the host directory bound at " + parts[1]
                        + " has been replaced by a symbolic link since it was checked; the instance stays stopped (remove the link, "
                        + "or restart to make a new version without that bind)", null);
            }
        }
    }

    /**
     * The first component of {@code path}, from the top, that is a symbolic link; none where the path, as far as
     * it exists, is free of links (Docker creates what is missing as directories).
     */
    static Optional<Path> firstLink(Path path) {
        Path at = path.getRoot();
        for (Path name : path.normalize()) {
            at = at.resolve(name);
            try {
                BasicFileAttributes attrs = Files.readAttributes(at, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isSymbolicLink()) {
                    return Optional.of(at);
                }
            } catch (NoSuchFileException missing) {
                return Optional.empty();
            } catch (IOException unreadable) {
                // what cannot be read cannot be vouched for
                return Optional.of(at);
            }
        }
        return Optional.empty();
    }
}
