// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made
// with openssl for one test file.
import { mkdirSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A DOCKER_CERT_PATH directory: ca.pem, cert.pem, key.pem of the client. */
  clientDir: string;
  /** A client signed by another CA. */
  strangerDir: string;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
}

function signed(dir: string, name: string, cn: string, ext: string, ca: string, caKey: string): void {
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`], dir);
}

export function makeCerts(dir: string): Certs {
  mkdirSync(dir, { recursive: true });
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=wharf-test-ca"], dir);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca-key.pem", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=other-ca"], dir);
  signed(dir, "server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", "ca.pem", "ca-key.pem");
  signed(dir, "client", "client", "extendedKeyUsage=clientAuth\n", "ca.pem", "ca-key.pem");
  signed(dir, "stranger", "stranger", "extendedKeyUsage=clientAuth\n", "other-ca.pem", "other-ca-key.pem");
  const clientDir = join(dir, "client");
  const strangerDir = join(dir, "stranger");
  for (const [d, n] of [[clientDir, "client"], [strangerDir, "stranger"]] as const) {
    mkdirSync(d);
    spawnSync("cp", [join(dir, "ca.pem"), join(d, "ca.pem")]);
    spawnSync("cp", [join(dir, `${n}.pem`), join(d, "cert.pem")]);
    spawnSync("cp", [join(dir, `${n}-key.pem`), join(d, "key.pem")]);
  }
  return { dir, ca: join(dir, "ca.pem"), serverCert: join(dir, "server.pem"), serverKey: join(dir, "server-key.pem"), clientDir, strangerDir };
}
