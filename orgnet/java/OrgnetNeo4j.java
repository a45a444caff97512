import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs Neo4j Community embedded, configured by HOME/conf/neo4j.conf, until its standard input closes.
 *
 * <p>Usage: {@code java -cp CLASSPATH OrgnetNeo4j.java HOME}, with the password of user {@code neo4j} as the
 * first line of standard input (not the environment, which other processes may read). orgnet.graph_server writes the configuration (Bolt
 * address, plugin folder with GDS, memory); this file only starts the server on it. It prints one
 * {@code READY} line once Bolt serves, and stops cleanly when standard input closes, which is when the
 * process that started it exits, however it exits: no orphan server outlives its parent.
 */
public final class OrgnetNeo4j {
    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String password = input.readLine();
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(home.resolve("conf").resolve("neo4j.conf"))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(service::shutdown));
        // Set at every start, so the password given now is the one that holds.
        service.database("system")
                .executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                        Map.of("password", password));
        System.out.println("READY");
        System.out.flush();
        input.transferTo(Writer.nullWriter());
        System.exit(0);
    }
}
