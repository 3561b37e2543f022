import { iptablesBackend, type BackendName } from '../../src/firewall/backend';
import { createFirewall, type Firewall } from '../../src/firewall/engine';
import { silentLogger } from '../../src/log';
import { TestNetns } from '../support/netns';
import { requireRoot } from '../support/privileges';
import { netnsRunner } from './netns-iptables';
import { Peer } from './peer-process';

/** The three namespaces of one test: the shoot, the pod under test (which forwards) and a seed pod behind it. */
export interface RoutedPodLab {
  backend: BackendName;
  shoot: TestNetns;
  /** The pod whose rules are tested; `firewall` applies rules inside it. */
  middle: TestNetns;
  pod: TestNetns;
  firewall: Firewall;
  /** Starts a peer program in `ns`; it is stopped after the test. */
  start: (ns: TestNetns, program: string, args: string[]) => Promise<Peer>;
}

/**
 * Registers, for each iptables backend, a describe block whose tests each get fresh namespaces wired by
 * `wire(shoot, middle, pod)`, and removes them and every peer started after each test, whatever happened.
 * Root is required (skipped outside CI without it).
 */
export function describeRoutedPodLab(
  title: string,
  prefix: string,
  wire: (shoot: TestNetns, middle: TestNetns, pod: TestNetns) => void,
  tests: (lab: () => RoutedPodLab) => void,
): void {
  describe(title, function () {
    this.timeout(30_000);
    let namespaces: TestNetns[] = [];
    let peers: Peer[] = [];

    before(function () {
      requireRoot(this);
    });

    afterEach(() => {
      peers.forEach((peer) => peer.stop());
      namespaces.forEach((ns) => ns.destroy());
      peers = [];
      namespaces = [];
    });

    for (const backend of ['legacy', 'nft'] as const) {
      describe(`${backend} backend`, () => {
        let current: RoutedPodLab | undefined;

        beforeEach(() => {
          const create = (role: string): TestNetns => {
            const ns = TestNetns.create(`${prefix}${role}`);
            namespaces.push(ns);
            return ns;
          };
          const [shoot, middle, pod] = [create('shoot'), create('mid'), create('pod')];
          wire(shoot, middle, pod);
          current = {
            backend,
            shoot,
            middle,
            pod,
            firewall: createFirewall(iptablesBackend(backend, netnsRunner(middle)), silentLogger),
            start: (ns, program, args) => Peer.start(ns, program, args, (peer) => peers.push(peer)),
          };
        });

        tests(() => {
          if (current === undefined) throw new Error('the routed pod lab was not built');
          return current;
        });
      });
    }
  });
}
