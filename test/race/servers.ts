/**
 * Configs and commands of the real servers of the verdict matrix (docs/race.md "Which servers
 * reload what"): everything inside the test directory, 127.0.0.1 only, foreground processes that
 * `race --server-cmd` starts and stops by their process group.
 */
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {HOST} from '../handshake/harness.js'

/** The files a server reads, as absolute paths. */
export interface ServerFiles {
  cert: string
  key: string
  bundle: string
}

/** A server under test: how to start it and how to make it reload (a `--reload` value, or none). */
export interface ServerSetup {
  cmd: string
  reload: string | undefined
  /** Extra race flags (e.g. the pid file for nginx). */
  extra: string[]
}

/** nginx in the foreground, reloaded by SIGHUP through its pid file. */
export function nginx(base: string, port: number, f: ServerFiles, o: {clientCa?: string} = {}): ServerSetup {
  const tmp = join(base, 'nginx-tmp')
  mkdirSync(tmp, {recursive: true})
  const pidFile = join(base, 'nginx.pid')
  const conf = join(base, 'nginx.conf')
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${tmp}/${t};`)
    .join('\n')
  writeFileSync(
    conf,
    `daemon off;\nmaster_process on;\nworker_processes 1;\npid ${pidFile};\nerror_log stderr warn;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n${temps}\n  server {\n    listen ${HOST}:${port} ssl;\n    ssl_certificate ${f.cert};\n    ssl_certificate_key ${f.key};\n    ssl_client_certificate ${o.clientCa ?? f.bundle};\n    ssl_verify_client on;\n    ssl_verify_depth 3;\n    location / { return 200 "ok\\n"; }\n  }\n}\n`,
  )
  return {cmd: `nginx -p ${base} -c ${conf} -e stderr`, reload: 'signal:HUP', extra: ['--pid-file', pidFile]}
}

/** Apache httpd in the foreground (event MPM), graceful restart on SIGUSR1 (`apachectl graceful`). */
export function apache(base: string, port: number, f: ServerFiles): ServerSetup {
  const root = join(base, 'apache')
  const www = join(base, 'www')
  mkdirSync(root, {recursive: true})
  mkdirSync(www, {recursive: true})
  writeFileSync(join(www, 'index.html'), 'ok\n')
  // Children run as nobody: they need to reach the document root.
  for (const d of [base, www]) chmodSync(d, 0o755)
  const mods = ['mpm_event', 'authz_core', 'ssl', 'socache_shmcb', 'alias']
    .map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`)
    .join('\n')
  const conf = join(base, 'apache.conf')
  writeFileSync(
    conf,
    `ServerRoot ${root}\nPidFile ${root}/httpd.pid\nErrorLog ${root}/error.log\n${mods}\nServerName svidkit\nListen ${HOST}:${port}\nMutex file:${root} default\nSSLSessionCache none\nUser nobody\nGroup nogroup\nDocumentRoot ${www}\n<VirtualHost ${HOST}:${port}>\n  SSLEngine on\n  SSLCertificateFile ${f.cert}\n  SSLCertificateKeyFile ${f.key}\n  SSLCACertificateFile ${f.bundle}\n  SSLVerifyClient require\n  SSLVerifyDepth 3\n  <Location />\n    Require all granted\n  </Location>\n</VirtualHost>\n`,
  )
  return {cmd: `apache2 -f ${conf} -DFOREGROUND`, reload: 'signal:USR1', extra: []}
}

/**
 * HAProxy 2.6 in master-worker mode (-W), reloaded by SIGUSR2 to the master. `crt` is the
 * certificate file with its key beside it as `<crt>.key` (`ssl-load-extra-files key`).
 * `verifyOptional` answers 403 to an untrusted client instead of refusing the handshake.
 */
export function haproxy(
  base: string,
  port: number,
  f: ServerFiles,
  o: {clientCa?: string; verifyOptional?: boolean} = {},
): ServerSetup & {socket: string} {
  const conf = join(base, 'haproxy.cfg')
  const socket = join(base, 'haproxy.sock')
  // verify optional alone still refuses a bad certificate in the handshake: ignore the errors and deny in HTTP.
  const verify = o.verifyOptional ? 'verify optional ca-ignore-err all crt-ignore-err all' : 'verify required'
  const deny = o.verifyOptional ? '  http-request deny if !{ ssl_c_verify 0 }\n' : ''
  writeFileSync(
    conf,
    `global\n  pidfile ${join(base, 'haproxy.pid')}\n  ssl-load-extra-files key\n  stats socket ${socket} mode 600 level admin expose-fd listeners\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend fe\n  bind ${HOST}:${port} ssl crt ${f.cert} ca-file ${o.clientCa ?? f.bundle} ${verify}\n${deny}  http-request return status 200 content-type text/plain string "ok"\n`,
  )
  return {cmd: `haproxy -W -db -f ${conf}`, reload: 'signal:USR2', extra: [], socket}
}

/** A runtime-API reload script for HAProxy: `set ssl cert` with cert and key, then `commit ssl cert` (nothing for the CA file). */
export function haproxyPushCert(base: string, socket: string, f: ServerFiles): string {
  const script = join(base, 'push-cert.py')
  writeFileSync(
    script,
    `import socket, sys
def cmd(c):
    s = socket.socket(socket.AF_UNIX)
    s.connect(${JSON.stringify(socket)})
    s.sendall(c.encode())
    out = b''
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
    s.close()
    return out.decode()
crt = ${JSON.stringify(f.cert)}
pem = open(crt).read() + open(${JSON.stringify(f.key)}).read()
cmd('set ssl cert %s <<\\n%s\\n' % (crt, pem))
r = cmd('commit ssl cert %s\\n' % crt)
sys.exit(0 if 'Success' in r else 1)
`,
  )
  return `exec:python3 ${script}`
}

/** lighttpd in the foreground (-D), reloaded by SIGUSR1 (needs lighttpd-mod-openssl). */
export function lighttpd(base: string, port: number, f: ServerFiles): ServerSetup {
  const www = join(base, 'www')
  mkdirSync(www, {recursive: true})
  writeFileSync(join(www, 'index.html'), 'ok\n')
  const conf = join(base, 'lighttpd.conf')
  writeFileSync(
    conf,
    `server.document-root = "${www}"\nserver.bind = "${HOST}"\nserver.port = ${port}\nserver.pid-file = "${join(base, 'lighttpd.pid')}"\nserver.errorlog = "${join(base, 'lighttpd.err')}"\nserver.modules += ("mod_openssl")\nindex-file.names = ("index.html")\nserver.error-handler-404 = "/index.html"\nssl.engine = "enable"\nssl.pemfile = "${f.cert}"\nssl.privkey = "${f.key}"\nssl.ca-file = "${f.bundle}"\nssl.verifyclient.activate = "enable"\nssl.verifyclient.enforce = "enable"\nssl.verifyclient.depth = 3\n`,
  )
  return {cmd: `lighttpd -D -f ${conf}`, reload: 'signal:USR1', extra: []}
}

/** caddy 2.6 (`caddy run`), reloaded by `caddy reload --force` through its admin endpoint. */
export function caddy(base: string, port: number, adminPort: number, f: ServerFiles): ServerSetup {
  const conf = join(base, 'Caddyfile')
  writeFileSync(
    conf,
    `{\n  admin ${HOST}:${adminPort}\n  storage file_system ${join(base, 'caddy-data')}\n  auto_https off\n}\nhttps://:${port} {\n  bind ${HOST}\n  tls ${f.cert} ${f.key} {\n    client_auth {\n      mode require_and_verify\n      trusted_ca_cert_file ${f.bundle}\n    }\n  }\n  respond "ok" 200\n}\n`,
  )
  // caddy writes its state under HOME/XDG dirs: keep them in the test directory.
  const env = `env HOME=${base} XDG_CONFIG_HOME=${join(base, 'xdg-config')} XDG_DATA_HOME=${join(base, 'xdg-data')}`
  return {
    cmd: `${env} caddy run --config ${conf} --adapter caddyfile`,
    reload: `exec:${env} caddy reload --force --config ${conf} --adapter caddyfile --address ${HOST}:${adminPort}`,
    extra: [],
  }
}
