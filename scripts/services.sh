#!/usr/bin/env bash
# Local engines for liandong's integration tests and distributed mode.
#
#   bash scripts/services.sh start    # Kafka (KRaft, single node) + kcat + Redis + PostgreSQL, idempotent
#   bash scripts/services.sh stop     # stops the Kafka broker this script started (Redis/PG left alone)
#   bash scripts/services.sh status   # one line per engine; exit 1 if any engine is down
#
# Kafka is not installed system-wide: its jars (and all runtime dependencies) come from Maven
# Central through `mvn dependency:copy-dependencies` into a cache directory, and the broker runs
# as `java -cp 'libs/*' kafka.Kafka server.properties`.
#
# Besides the PLAINTEXT listener every test uses (unchanged, and never refused: its principal
# User:ANONYMOUS is a super user), the broker has a SASL_SSL listener (operations.md "Kafka"
# security): a certificate signed by a local CA made with keytool (ca.pem for Node clients),
# SCRAM-SHA-512/256 users — the platform's (a super user) and one per test agency, named after the
# agency id — and the StandardAuthorizer with ACLs letting each agency user write (and describe)
# only its own topic liandong.agency.<agencyId>. Users, passwords and ACLs are (re)applied through
# the Admin API after every start, so an old data directory gets them as well as a fresh one.
# Where the listener, CA and passwords are: $LIANDONG_CACHE/kafka-<KAFKA_PORT>-sasl.env.
#
# Environment:
#   LIANDONG_CACHE          cache root (default ~/.cache/liandong)
#   KAFKA_VERSION           org.apache.kafka:kafka_2.13 version (default below; 4.x)
#   KAFKA_PORT              broker port on 127.0.0.1 (default 9092)
#   KAFKA_CONTROLLER_PORT   KRaft controller port (default KAFKA_PORT+1)
#   KAFKA_HEAP_OPTS         JVM heap (default -Xms256m -Xmx512m)
#   KAFKA_START_TIMEOUT     seconds to wait for the broker (default 120)
#   KAFKA_SASL_PORT         SASL_SSL listener on 127.0.0.1 (default KAFKA_PORT+2; `off`: none, no authorizer)
#   KAFKA_SASL_AGENCIES     agency ids that get a SCRAM user and a write ACL on their topic
#                           (default sasl-court,sasl-proc: test agencies no other test consumes)
#   KAFKA_SASL_PLATFORM_USER  the platform's SCRAM user, a super user (default liandong)
#   REDIS_PORT / PGPORT     default 6379 / 5432
#   LIANDONG_TEST_DB        database to ensure (default liandong_test)
#   SERVICES_SKIP           comma list of engines not to touch: kafka,redis,postgres
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST=127.0.0.1

KAFKA_VERSION=${KAFKA_VERSION:-4.3.1}
SCALA_BINARY=2.13
LOG4J_VERSION=2.24.3
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
CACHE=${LIANDONG_CACHE:-$HOME/.cache/liandong}
KAFKA_HOME_DIR=$CACHE/kafka-$KAFKA_VERSION
LIBS=$KAFKA_HOME_DIR/libs
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
NODE_DIR=$KAFKA_HOME_DIR/node-$KAFKA_PORT # config, data, logs, pid of this broker instance
DATA_DIR=$NODE_DIR/data
LOG_DIR=$NODE_DIR/logs
PID_FILE=$NODE_DIR/kafka.pid
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-120}
KAFKA_SASL_PORT=${KAFKA_SASL_PORT:-$((KAFKA_PORT + 2))}
KAFKA_SASL_AGENCIES=${KAFKA_SASL_AGENCIES:-sasl-court,sasl-proc}
KAFKA_SASL_PLATFORM_USER=${KAFKA_SASL_PLATFORM_USER:-liandong}
SEC_DIR=$NODE_DIR/security # CA, broker keystore, SCRAM passwords of this broker instance
SASL_ENV_FILE=$CACHE/kafka-$KAFKA_PORT-sasl.env
REDIS_PORT=${REDIS_PORT:-6379}
PG_PORT=${PGPORT:-5432}
TEST_DB=${LIANDONG_TEST_DB:-liandong_test}
SERVICES_SKIP=${SERVICES_SKIP:-}

say() { printf '%s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
skipped() { [[ ",$SERVICES_SKIP," == *",$1,"* ]]; }
have() { command -v "$1" >/dev/null 2>&1; }

# TCP connect test without nc.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# Run a command as root (directly, or through sudo when available).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif have sudo; then sudo -n "$@"
  else return 1; fi
}

APT_UPDATED=0
apt_install() { # apt_install LABEL PACKAGE...
  local label=$1
  shift
  have apt-get || die "$label is not installed and apt-get is missing; install $* with your package manager and re-run"
  say "$label: not installed — apt-get install -y $* …"
  if [[ $APT_UPDATED -eq 0 ]]; then
    # A failed update is not fatal by itself: the existing package lists may do.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 ||
      say "$label: (apt-get update failed; trying with the package lists already on this machine)"
    APT_UPDATED=1
  fi
  local log=${TMPDIR:-/tmp}/liandong-apt.$$.log
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null >"$log" 2>&1 9>&-; then
    tail -n 8 "$log" >&2 || true
    rm -f "$log"
    die "apt-get install $* failed (needs root or sudo, and access to deb.debian.org); run it by hand: sudo apt-get install -y $*"
  fi
  rm -f "$log"
}

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------

kafka_major() { printf '%s' "${KAFKA_VERSION%%.*}"; }

# pid from the pid file, only if that process is alive and really our broker.
kafka_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  grep -qa 'kafka\.Kafka' "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s' "$pid"
}

check_java() {
  have java || die "java not found; Kafka needs Java 17+: apt-get install -y openjdk-17-jre-headless"
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  [[ ${v%%.*} =~ ^[0-9]+$ && ${v%%.*} -ge 17 ]] || die "Java $v found; Kafka $KAFKA_VERSION needs Java 17+ (apt-get install -y openjdk-17-jre-headless)"
}

# Metadata probe: kafkajs admin listTopics (the client the project uses); falls back to a tiny
# Java AdminClient when node_modules is not installed yet.
kafka_probe() {
  local broker=$HOST:$KAFKA_PORT
  if have node && [[ -d $ROOT/node_modules/kafkajs ]]; then
    (cd "$ROOT" && PROBE_BROKER=$broker timeout 15 node --input-type=module -e "
      const { Kafka, logLevel } = await import('kafkajs');
      const kafka = new Kafka({ clientId: 'services-probe', brokers: [process.env.PROBE_BROKER],
        logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 0 } });
      const admin = kafka.admin();
      try { await admin.connect(); await admin.listTopics(); } finally { await admin.disconnect().catch(() => {}); }
    " >/dev/null 2>&1)
  elif have javac && [[ -f $LIBS/.complete ]]; then
    local pdir=$KAFKA_HOME_DIR/probe
    if [[ ! -f $pdir/Probe.class ]]; then
      mkdir -p "$pdir"
      cat >"$pdir/Probe.java" <<'EOF'
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
public class Probe {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("request.timeout.ms", "5000");
    p.put("default.api.timeout.ms", "8000");
    try (Admin admin = Admin.create(p)) { admin.listTopics().names().get(); }
  }
}
EOF
      javac -nowarn -cp "$LIBS/*" -d "$pdir" "$pdir/Probe.java" >/dev/null 2>&1 || return 1
    fi
    timeout 20 java -Dlog4j2.configurationFile="$NODE_DIR/log4j2-quiet.properties" -cp "$pdir:$LIBS/*" Probe "$broker" >/dev/null 2>&1
  else
    port_open "$HOST" "$KAFKA_PORT" # nothing better available
  fi
}

kafka_fetch() {
  if [[ -f $LIBS/.complete ]]; then
    return 0
  fi
  have mvn || die "mvn not found; Kafka jars are fetched through Maven: apt-get install -y maven"
  say "kafka: fetching org.apache.kafka:kafka_$SCALA_BINARY:$KAFKA_VERSION and its runtime dependencies via Maven…"
  mkdir -p "$KAFKA_HOME_DIR"
  local extra=''
  if [[ $(kafka_major) -ge 4 ]]; then
    # Kafka 4 logs through log4j2; slf4j-api 1.7 needs the log4j-slf4j-impl binding.
    extra="
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>"
  else
    extra="
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>"
  fi
  cat >"$KAFKA_HOME_DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by liandong scripts/services.sh: Kafka broker runtime classpath -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.liandong</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$SCALA_BINARY</artifactId><version>$KAFKA_VERSION</version></dependency>$extra
  </dependencies>
</project>
EOF
  local tmp=$KAFKA_HOME_DIR/libs.tmp.$$
  rm -rf "$tmp"
  if ! (cd "$KAFKA_HOME_DIR" && mvn -B -q -U -Dstyle.color=never "$DEP_PLUGIN:copy-dependencies" \
    -DoutputDirectory="$tmp" -DincludeScope=runtime -DexcludeTransitive=false) >"$KAFKA_HOME_DIR/maven.log" 2>&1; then
    sed -e 's/\x1b\[[0-9;]*m//g' "$KAFKA_HOME_DIR/maven.log" | grep -v '^\[ERROR\] *$' | tail -n 12 >&2 || true
    rm -rf "$tmp"
    die "Maven could not fetch Kafka $KAFKA_VERSION (log: $KAFKA_HOME_DIR/maven.log). Check access to Maven Central, or try another version: KAFKA_VERSION=4.3.1 bash scripts/services.sh start"
  fi
  ls "$tmp"/kafka_"$SCALA_BINARY"-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "Maven ran but kafka_$SCALA_BINARY-$KAFKA_VERSION.jar is missing in $tmp"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  touch "$LIBS/.complete"
  say "kafka: $(find "$LIBS" -name '*.jar' | wc -l) jars ($(du -sh "$LIBS" | cut -f1)) in $LIBS"
}

kafka_write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  local sasl_listener='' sasl_protocol=''
  if sasl_enabled; then
    sasl_listener=",SASL_SSL://$HOST:$KAFKA_SASL_PORT"
    sasl_protocol=',SASL_SSL:SASL_SSL'
  fi
  cat >"$NODE_DIR/server.properties" <<EOF
# generated by liandong scripts/services.sh — single-node KRaft broker+controller (dev/test only)
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT$sasl_listener
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT$sasl_listener
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT$sasl_protocol
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=268435456
EOF
  if sasl_enabled; then
    local store_pass
    store_pass=$(<"$SEC_DIR/store.pass")
    cat >>"$NODE_DIR/server.properties" <<EOF
# SASL_SSL listener: SCRAM logins over TLS. The authorizer refuses what no ACL allows, except to the
# super users: ANONYMOUS is every PLAINTEXT/CONTROLLER connection (tests, the broker itself), which
# must go on working as without an authorizer.
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$SEC_DIR/broker.p12
listener.name.sasl_ssl.ssl.keystore.password=$store_pass
listener.name.sasl_ssl.ssl.key.password=$store_pass
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:$KAFKA_SASL_PLATFORM_USER
allow.everyone.if.no.acl.found=false
EOF
    chmod 600 "$NODE_DIR/server.properties"
  fi
  if [[ $(kafka_major) -ge 4 ]]; then
    cat >"$NODE_DIR/log4j2.properties" <<EOF
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $LOG_DIR/server.log
appender.file.filePattern = $LOG_DIR/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
EOF
    printf 'status = error\nrootLogger.level = OFF\n' >"$NODE_DIR/log4j2-quiet.properties"
  else
    cat >"$NODE_DIR/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOG_DIR/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
EOF
    printf 'log4j.rootLogger=OFF\n' >"$NODE_DIR/log4j2-quiet.properties"
  fi
}

kafka_log_opts() {
  if [[ $(kafka_major) -ge 4 ]]; then
    printf '%s' "-Dlog4j2.configurationFile=$NODE_DIR/log4j2.properties"
  else
    printf '%s' "-Dlog4j.configuration=file:$NODE_DIR/log4j.properties"
  fi
}

kafka_format() {
  [[ -f $DATA_DIR/meta.properties ]] && return 0
  local cid
  if [[ -s $NODE_DIR/cluster.id ]]; then
    cid=$(<"$NODE_DIR/cluster.id")
  else
    cid=$(java -cp "$LIBS/*" "$(kafka_log_opts)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1) ||
      die "could not generate a Kafka cluster id (java -cp libs/* kafka.tools.StorageTool random-uuid)"
    printf '%s\n' "$cid" >"$NODE_DIR/cluster.id"
  fi
  say "kafka: formatting storage in $DATA_DIR (cluster id $cid)"
  # --standalone: single-node dynamic KRaft quorum (needs controller.quorum.bootstrap.servers).
  if ! java -cp "$LIBS/*" "$(kafka_log_opts)" kafka.tools.StorageTool format \
    --config "$NODE_DIR/server.properties" --cluster-id "$cid" --standalone >"$LOG_DIR/format.log" 2>&1; then
    cat "$LOG_DIR/format.log" >&2
    die "kafka storage format failed (see above); remove $NODE_DIR to start from scratch"
  fi
}

# ---------------------------------------------------------------------------------------------
# Kafka security: the SASL_SSL listener, its TLS material, SCRAM users and agency ACLs
# ---------------------------------------------------------------------------------------------

sasl_enabled() { [[ $KAFKA_SASL_PORT != off ]]; }

random_secret() { od -An -tx1 -N18 /dev/urandom | tr -d ' \n'; }

# users.txt: `name password`, the platform user first, then one per agency of KAFKA_SASL_AGENCIES
sasl_users() { printf '%s\n' "$KAFKA_SASL_PLATFORM_USER" ${KAFKA_SASL_AGENCIES//,/ }; }

# The CA, the broker's keystore (a certificate for 127.0.0.1 and localhost signed by that CA) and the
# SCRAM passwords: made once per broker instance, so clients keep trusting ca.pem across restarts. An
# agency added to KAFKA_SASL_AGENCIES later gets its password then.
kafka_security_material() {
  sasl_enabled || return 0
  [[ $KAFKA_SASL_PORT =~ ^[0-9]+$ ]] || die "KAFKA_SASL_PORT=$KAFKA_SASL_PORT: a port number, or off for no SASL_SSL listener"
  have keytool || die "keytool not found (it comes with Java): apt-get install -y openjdk-17-jre-headless"
  mkdir -p "$SEC_DIR"
  chmod 700 "$SEC_DIR"
  [[ -s $SEC_DIR/store.pass ]] || (umask 077 && random_secret >"$SEC_DIR/store.pass")
  local pass
  pass=$(<"$SEC_DIR/store.pass")
  if [[ ! -s $SEC_DIR/broker.p12 || ! -s $SEC_DIR/ca.pem || ! -s $SEC_DIR/truststore.p12 ]]; then
    say "kafka: making a local CA and the broker's TLS certificate with keytool (in $SEC_DIR)"
    rm -f "$SEC_DIR"/ca.p12 "$SEC_DIR"/ca.pem "$SEC_DIR"/broker.* "$SEC_DIR"/truststore.p12
    local kt=(keytool -noprompt -storetype PKCS12 -storepass "$pass" -keypass "$pass")
    local ks=(keytool -noprompt -storetype PKCS12 -storepass "$pass")
    local san=SAN=ip:127.0.0.1,dns:localhost log=$SEC_DIR/keytool.log
    if ! {
      "${kt[@]}" -genkeypair -alias ca -keyalg RSA -keysize 2048 -validity 3650 -dname 'CN=liandong dev Kafka CA' \
        -ext bc:c -ext KU:c=keyCertSign,cRLSign -keystore "$SEC_DIR/ca.p12" &&
        "${ks[@]}" -exportcert -rfc -alias ca -keystore "$SEC_DIR/ca.p12" -file "$SEC_DIR/ca.pem" &&
        "${kt[@]}" -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -dname 'CN=localhost' \
          -ext "$san" -keystore "$SEC_DIR/broker.p12" &&
        "${ks[@]}" -certreq -alias broker -keystore "$SEC_DIR/broker.p12" -file "$SEC_DIR/broker.csr" &&
        "${ks[@]}" -gencert -rfc -alias ca -keystore "$SEC_DIR/ca.p12" -infile "$SEC_DIR/broker.csr" \
          -outfile "$SEC_DIR/broker.crt" -validity 3650 -ext "$san" -ext KU=digitalSignature,keyEncipherment -ext EKU=serverAuth &&
        "${ks[@]}" -importcert -alias ca -file "$SEC_DIR/ca.pem" -keystore "$SEC_DIR/broker.p12" &&
        "${ks[@]}" -importcert -alias broker -file "$SEC_DIR/broker.crt" -keystore "$SEC_DIR/broker.p12" &&
        "${ks[@]}" -importcert -alias ca -file "$SEC_DIR/ca.pem" -keystore "$SEC_DIR/truststore.p12"
    } >"$log" 2>&1; then
      tail -n 8 "$log" >&2 || true
      rm -f "$SEC_DIR"/ca.pem "$SEC_DIR"/broker.p12 "$SEC_DIR"/truststore.p12
      die "keytool could not make the broker's TLS material (log: $log)"
    fi
  fi
  local users=$SEC_DIR/users.txt u
  (umask 077 && touch "$users")
  for u in $(sasl_users); do
    [[ $u =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SASL_AGENCIES / KAFKA_SASL_PLATFORM_USER: '$u' is not a user name (letters, digits, . _ -)"
    awk -v u="$u" '$1 == u { found = 1 } END { exit !found }' "$users" || printf '%s %s\n' "$u" "$(random_secret)" >>"$users"
  done
}

# Admin API program: SCRAM credentials (upserted, so the same on every run), the agency ACLs (creating
# an existing one changes nothing), then waits until the broker shows the ACLs and every user can log
# in over SASL_SSL — the users are usable when `start` returns, not a moment later.
SASL_SETUP_JAVA=$(
  cat <<'EOF'
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.resource.*;

/** args: plaintextBootstrap saslBootstrap truststore storePass usersFile platformUser topicPrefix timeoutSeconds */
public class SaslSetup {
  public static void main(String[] a) throws Exception {
    long deadline = System.currentTimeMillis() + Long.parseLong(a[7]) * 1000L;
    List<String[]> users = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(a[4]))) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2) users.add(f);
    }
    List<AclBinding> acls = new ArrayList<>();
    for (String[] u : users) {
      if (u[0].equals(a[5])) continue; // the platform user is a super user
      ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, a[6] + "agency." + u[0], PatternType.LITERAL);
      for (AclOperation op : new AclOperation[] { AclOperation.WRITE, AclOperation.DESCRIBE })
        acls.add(new AclBinding(topic, new AccessControlEntry("User:" + u[0], "*", op, AclPermissionType.ALLOW)));
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", a[0]);
    p.put("request.timeout.ms", "10000");
    p.put("default.api.timeout.ms", "20000");
    try (Admin admin = Admin.create(p)) {
      // one request per mechanism: a request may alter a user only once
      for (ScramMechanism m : new ScramMechanism[] { ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256 }) {
        List<UserScramCredentialAlteration> creds = new ArrayList<>();
        for (String[] u : users) creds.add(new UserScramCredentialUpsertion(u[0], new ScramCredentialInfo(m, 4096), u[1]));
        admin.alterUserScramCredentials(creds).all().get();
      }
      admin.createAcls(acls).all().get();
      while (!admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls)) {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("the broker does not show the ACLs just created");
        Thread.sleep(200);
      }
    }
    for (String[] u : users) {
      Properties s = new Properties();
      s.put("bootstrap.servers", a[1]);
      s.put("security.protocol", "SASL_SSL");
      s.put("sasl.mechanism", "SCRAM-SHA-512");
      s.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + u[0] + "\" password=\"" + u[1] + "\";");
      s.put("ssl.truststore.type", "PKCS12");
      s.put("ssl.truststore.location", a[2]);
      s.put("ssl.truststore.password", a[3]);
      s.put("request.timeout.ms", "5000");
      s.put("default.api.timeout.ms", "8000");
      while (true) {
        try (Admin admin = Admin.create(s)) {
          admin.listTopics().names().get();
          break;
        } catch (Exception e) {
          if (System.currentTimeMillis() > deadline) throw new IllegalStateException("user " + u[0] + " cannot log in over SASL_SSL on " + a[1], e);
          Thread.sleep(300);
        }
      }
    }
    System.out.println(users.size() + " users, " + acls.size() + " ACLs");
  }
}
EOF
)

# javac comes with the JDK; a machine with only the JRE gets the headless JDK (the broker itself needs no more).
# Compiled once per version of the source above, into SASL_SETUP_DIR.
kafka_sasl_setup_class() {
  SASL_SETUP_DIR=$KAFKA_HOME_DIR/sasl-setup-$(printf '%s' "$SASL_SETUP_JAVA" | sha256sum | cut -c1-12)
  [[ -f $SASL_SETUP_DIR/SaslSetup.class ]] && return 0
  have javac || apt_install "javac (JDK, for the SCRAM/ACL setup)" openjdk-17-jdk-headless
  mkdir -p "$SASL_SETUP_DIR"
  printf '%s\n' "$SASL_SETUP_JAVA" >"$SASL_SETUP_DIR/SaslSetup.java"
  javac -nowarn -cp "$LIBS/*" -d "$SASL_SETUP_DIR" "$SASL_SETUP_DIR/SaslSetup.java" >"$SASL_SETUP_DIR/javac.log" 2>&1 ||
    { cat "$SASL_SETUP_DIR/javac.log" >&2; die "could not compile $SASL_SETUP_DIR/SaslSetup.java (javac output above)"; }
}

# Users, passwords and ACLs, applied after every start (a fresh data directory and an old one alike).
kafka_sasl_setup() {
  sasl_enabled || { rm -f "$SASL_ENV_FILE"; return 0; }
  if ! grep -q "SASL_SSL://$HOST:$KAFKA_SASL_PORT" "$NODE_DIR/server.properties" 2>/dev/null || ! port_open "$HOST" "$KAFKA_SASL_PORT"; then
    rm -f "$SASL_ENV_FILE"
    say "kafka: NOTE the running broker has no SASL_SSL listener on $HOST:$KAFKA_SASL_PORT (started by an older services.sh);"
    say "       restart it to add the listener, the SCRAM users and the ACLs: bash scripts/services.sh stop; bash scripts/services.sh start"
    return 0
  fi
  local t0=$SECONDS out
  kafka_security_material # users added to KAFKA_SASL_AGENCIES since the broker started get a password
  kafka_sasl_setup_class
  if ! out=$(timeout 120 java -Dlog4j2.configurationFile="$NODE_DIR/log4j2-quiet.properties" -cp "$SASL_SETUP_DIR:$LIBS/*" SaslSetup \
    "$HOST:$KAFKA_PORT" "$HOST:$KAFKA_SASL_PORT" "$SEC_DIR/truststore.p12" "$(<"$SEC_DIR/store.pass")" "$SEC_DIR/users.txt" \
    "$KAFKA_SASL_PLATFORM_USER" liandong. 60 2>"$LOG_DIR/sasl-setup.log"); then
    tail -n 15 "$LOG_DIR/sasl-setup.log" >&2 || true
    die "could not create the SCRAM users and ACLs on $HOST:$KAFKA_PORT (log: $LOG_DIR/sasl-setup.log)"
  fi
  cat >"$SASL_ENV_FILE" <<EOF
# written by scripts/services.sh start: the SASL_SSL listener of the broker on $HOST:$KAFKA_PORT
# (test/integration/kafkaAcl.int.spec.ts reads it). Passwords: one "user password" line each in the users file.
KAFKA_SASL_BROKERS=$HOST:$KAFKA_SASL_PORT
KAFKA_SSL_CA_FILE=$SEC_DIR/ca.pem
KAFKA_SASL_USERS_FILE=$SEC_DIR/users.txt
KAFKA_SASL_PLATFORM_USER=$KAFKA_SASL_PLATFORM_USER
KAFKA_SASL_AGENCIES=$KAFKA_SASL_AGENCIES
EOF
  say "kafka: SASL_SSL on $HOST:$KAFKA_SASL_PORT — SCRAM users $(sasl_users | paste -sd, -) ($out, $((SECONDS - t0))s); CA $SEC_DIR/ca.pem; see $SASL_ENV_FILE"
}

# The broker, then (when this script runs it) its SASL_SSL users and ACLs.
kafka_start() {
  EXTERNAL_BROKER=0
  kafka_start_broker
  [[ $EXTERNAL_BROKER -eq 1 ]] || kafka_sasl_setup
}

kafka_start_broker() {
  local pid
  if pid=$(kafka_pid); then
    if kafka_probe; then
      say "kafka: already running on $HOST:$KAFKA_PORT (pid $pid, Kafka $KAFKA_VERSION)"
      return 0
    fi
    say "kafka: pid $pid is alive but not answering yet; waiting…"
  elif port_open "$HOST" "$KAFKA_PORT"; then
    if kafka_probe; then
      say "kafka: a broker (not started by this script) already answers on $HOST:$KAFKA_PORT — using it (no SASL_SSL setup)"
      EXTERNAL_BROKER=1
      return 0
    fi
    die "port $HOST:$KAFKA_PORT is taken by something that is not a Kafka broker; free it or set KAFKA_PORT"
  else
    check_java
    kafka_fetch
    kafka_security_material
    kafka_write_config
    kafka_format
    if port_open "$HOST" "$KAFKA_CONTROLLER_PORT"; then
      die "controller port $HOST:$KAFKA_CONTROLLER_PORT is already in use; free it or set KAFKA_CONTROLLER_PORT"
    fi
    if sasl_enabled && port_open "$HOST" "$KAFKA_SASL_PORT"; then
      die "SASL_SSL port $HOST:$KAFKA_SASL_PORT is already in use; free it, set KAFKA_SASL_PORT, or KAFKA_SASL_PORT=off"
    fi
    say "kafka: starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT, data $DATA_DIR)"
    # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
    (
      cd "$NODE_DIR"
      exec setsid java $KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
        "$(kafka_log_opts)" -Dkafka.logs.dir="$LOG_DIR" \
        -cp "$LIBS/*" kafka.Kafka "$NODE_DIR/server.properties"
    ) </dev/null >>"$LOG_DIR/kafka.out" 2>&1 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
  fi

  local t0=$SECONDS deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      say "---- last lines of $LOG_DIR/server.log / kafka.out ----" >&2
      tail -n 30 "$LOG_DIR/server.log" >&2 2>/dev/null || true
      tail -n 15 "$LOG_DIR/kafka.out" >&2 2>/dev/null || true
      die "the Kafka broker exited during startup (logs above, in $LOG_DIR). To start over: bash scripts/services.sh stop; rm -rf $NODE_DIR"
    fi
    if port_open "$HOST" "$KAFKA_PORT" && kafka_probe; then
      say "kafka: ready on $HOST:$KAFKA_PORT (pid $pid, $((SECONDS - t0))s)"
      return 0
    fi
    sleep 1
  done
  say "---- last lines of $LOG_DIR/server.log ----" >&2
  tail -n 40 "$LOG_DIR/server.log" >&2 2>/dev/null || true
  die "Kafka did not answer metadata requests on $HOST:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s (pid $pid still running; logs in $LOG_DIR). Stop it with: bash scripts/services.sh stop"
}

kafka_stop() {
  local pid
  if ! pid=$(kafka_pid); then
    rm -f "$PID_FILE"
    if port_open "$HOST" "$KAFKA_PORT"; then
      say "kafka: not started by this script (something else listens on $HOST:$KAFKA_PORT) — left alone"
    else
      say "kafka: not running"
    fi
    return 0
  fi
  say "kafka: stopping pid $pid (SIGTERM)…"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "kafka: still running after 30s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE"
  say "kafka: stopped"
}

kafka_status() {
  local pid
  if pid=$(kafka_pid); then
    if kafka_probe; then
      say "kafka     up    $HOST:$KAFKA_PORT  Kafka $KAFKA_VERSION, pid $pid (started by services.sh)"
      if sasl_enabled; then
        if port_open "$HOST" "$KAFKA_SASL_PORT" && [[ -f $SASL_ENV_FILE ]]; then
          say "kafka     up    $HOST:$KAFKA_SASL_PORT  SASL_SSL, SCRAM users and ACLs set ($SASL_ENV_FILE)"
        else
          say "kafka     DOWN  $HOST:$KAFKA_SASL_PORT  no SASL_SSL listener or users (restart: bash scripts/services.sh stop; bash scripts/services.sh start)"
          return 1
        fi
      fi
    else
      say "kafka     DOWN  $HOST:$KAFKA_PORT  pid $pid alive but not answering metadata (logs: $LOG_DIR)"
      return 1
    fi
  elif port_open "$HOST" "$KAFKA_PORT" && kafka_probe; then
    say "kafka     up    $HOST:$KAFKA_PORT  (external broker, not started by services.sh)"
  else
    say "kafka     DOWN  $HOST:$KAFKA_PORT  (run: bash scripts/services.sh start)"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------

redis_ping() { have redis-cli && [[ $(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

redis_start() {
  if redis_ping; then
    say "redis: already running on $HOST:$REDIS_PORT"
    return 0
  fi
  if ! have redis-server || ! have redis-cli; then
    apt_install redis redis-server
    redis_ping && { say "redis: installed and running on $HOST:$REDIS_PORT"; return 0; }
  fi
  port_open "$HOST" "$REDIS_PORT" && die "port $HOST:$REDIS_PORT is open but does not answer PING; check what listens there (ss -ltnp)"
  local dir=/var/lib/redis logdir=/var/log/redis
  if [[ $(id -u) -ne 0 ]]; then dir=$CACHE/redis logdir=$CACHE/redis; fi
  mkdir -p "$dir" "$logdir"
  say "redis: starting redis-server on $HOST:$REDIS_PORT"
  redis-server --daemonize yes --bind "$HOST" -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$dir" --logfile "$logdir/ci.log" </dev/null >/dev/null 2>&1 9>&- ||
    die "redis-server failed to start (log: $logdir/ci.log)"
  local i
  for ((i = 0; i < 50; i++)); do
    redis_ping && { say "redis: ready on $HOST:$REDIS_PORT"; return 0; }
    sleep 0.2
  done
  tail -n 10 "$logdir/ci.log" >&2 2>/dev/null || true
  die "redis does not answer PING on $HOST:$REDIS_PORT (log: $logdir/ci.log)"
}

redis_status() {
  if redis_ping; then say "redis     up    $HOST:$REDIS_PORT"
  else say "redis     DOWN  $HOST:$REDIS_PORT  (run: bash scripts/services.sh start)"; return 1; fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

pg_ready() { have pg_isready && timeout 5 pg_isready -q -h "$HOST" -p "$PG_PORT" 2>/dev/null; }
pg_sql() { PGCONNECT_TIMEOUT=3 psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -Atc "$1"; }

pg_clusters() { ls /etc/postgresql 2>/dev/null | sort -V; }

pg_start() {
  local installed=0
  if ! pg_ready; then
    if ! have pg_ctlcluster || [[ -z $(pg_clusters) ]]; then
      apt_install postgres postgresql
      installed=1
    fi
    if ! pg_ready; then
      local ver started=0
      for ver in $(pg_clusters); do
        [[ -d /etc/postgresql/$ver/main ]] || continue
        say "postgres: starting cluster $ver/main"
        if as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start </dev/null >/dev/null 2>&1 9>&-; then
          started=1
          break
        fi
      done
      [[ $started -eq 1 ]] || pg_ready ||
        die "could not start PostgreSQL (pg_ctlcluster --skip-systemctl-redirect <version> main start; logs in /var/log/postgresql)"
      local i
      for ((i = 0; i < 60; i++)); do pg_ready && break; sleep 0.5; done
      pg_ready || die "PostgreSQL started but $HOST:$PG_PORT does not accept connections (check listen_addresses/port in /etc/postgresql/*/main/postgresql.conf)"
    fi
    say "postgres: ready on $HOST:$PG_PORT"
  else
    say "postgres: already running on $HOST:$PG_PORT"
  fi

  if ! pg_sql 'select 1' >/dev/null 2>&1; then
    # A fresh Debian cluster wants a password on 127.0.0.1; the tests use trust auth as user
    # postgres. Only rewrite pg_hba.conf of a cluster this script has just installed.
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | sort -V | tail -n 1)
    if [[ $installed -eq 1 && -n $hba ]]; then
      say "postgres: enabling trust auth for 127.0.0.1 in $hba (fresh dev cluster)"
      as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
      as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_clusters | tail -n 1)" main reload </dev/null >/dev/null 2>&1 9>&- || true
      sleep 1
    fi
    pg_sql 'select 1' >/dev/null 2>&1 ||
      die "cannot log in as postgres on $HOST:$PG_PORT without a password; add 'host all all 127.0.0.1/32 trust' at the top of pg_hba.conf and reload"
  fi
  if [[ $(pg_sql "select 1 from pg_database where datname = '$TEST_DB'") != 1 ]]; then
    pg_sql "create database \"$TEST_DB\"" >/dev/null 2>&1 ||
      [[ $(pg_sql "select 1 from pg_database where datname = '$TEST_DB'") == 1 ]] ||
      die "could not create database $TEST_DB (psql -h $HOST -U postgres -c 'create database $TEST_DB')"
    say "postgres: created database $TEST_DB"
  fi
}

pg_status() {
  if pg_ready; then
    if [[ $(pg_sql "select 1 from pg_database where datname = '$TEST_DB'" 2>/dev/null) == 1 ]]; then
      say "postgres  up    $HOST:$PG_PORT  (database $TEST_DB present)"
    else
      say "postgres  up    $HOST:$PG_PORT  (database $TEST_DB MISSING or no trust login; run: bash scripts/services.sh start)"
      return 1
    fi
  else
    say "postgres  DOWN  $HOST:$PG_PORT  (run: bash scripts/services.sh start)"
    return 1
  fi
}

# kcat: the Kafka integration tests run the command lines docs/publishing.md shows agencies
kcat_ensure() {
  if have kcat; then return 0; fi
  apt_install kcat kcat
  have kcat || die "kcat is still missing after apt-get install kcat"
  say "kcat: $(kcat -V 2>&1 | head -1)"
}

# ---------------------------------------------------------------------------------------------

with_lock() {
  # Serialise start/stop across concurrent callers (several engineers / test runs on one box).
  mkdir -p "$CACHE"
  exec 9>"$CACHE/services.lock"
  flock -w 600 9 || die "another services.sh has held $CACHE/services.lock for 10 minutes"
}

cmd=${1:-}
case $cmd in
  start)
    with_lock
    t0=$SECONDS
    skipped postgres || pg_start
    skipped redis || redis_start
    skipped kafka || kafka_start
    skipped kafka || kcat_ensure
    say "services: all up ($((SECONDS - t0))s)"
    ;;
  stop)
    with_lock
    skipped kafka || kafka_stop
    say "redis/postgres: system services, left running"
    ;;
  status)
    rc=0
    skipped kafka || kafka_status || rc=1
    skipped redis || redis_status || rc=1
    skipped postgres || pg_status || rc=1
    exit $rc
    ;;
  *)
    say "usage: bash scripts/services.sh start|stop|status" >&2
    exit 2
    ;;
esac
