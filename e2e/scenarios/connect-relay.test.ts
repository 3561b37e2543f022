import { strict as assert } from 'node:assert';
import { seconds } from '../lib/measurement';
import { serverClusterName } from '../lib/vpn-programs';
import { measure, SPECS, useLab } from './support';

describe("[e2e] non-HA tunnel: the connect relay instead of OpenVPN's http-proxy", function () {
  this.timeout(60_000);
  const lab = useLab({ ...SPECS.ipv4, name: 'connect-relay' });

  it('sends the ingress exactly the CONNECT request OpenVPN sends, and is up in under a second', async () => {
    await lab().startServer();
    const viaProxy = await lab().tunnelUp(await lab().startClient('http-proxy'));
    await lab().stopClient('SIGTERM');
    const viaRelay = await lab().tunnelUp(await lab().startClient('relay'));

    const heads = lab().ingressRequestHeads();
    assert.equal(heads.length, 2, heads.map((h) => h.toString('latin1')).join('\n---\n'));
    const [fromOpenvpn, fromRelay] = heads;
    const { endpoint, spec } = lab().plan;
    assert.equal(
      fromOpenvpn?.toString('latin1'),
      `CONNECT ${endpoint}:1194 HTTP/1.0\r\n${spec.headerKey}: ${serverClusterName(lab().plan)}\r\nHost: ${endpoint}\r\n\r\n`,
    );
    assert.ok(fromRelay?.equals(fromOpenvpn), 'the relay sends the same bytes');

    measure('connect-relay', {
      http_proxy_openvpn_to_tunnel_s: seconds(viaProxy.fromOpenvpnMs),
      relay_openvpn_to_tunnel_s: seconds(viaRelay.fromOpenvpnMs),
    });
    assert.ok(viaRelay.fromOpenvpnMs < 1_000, `tunnel-up through the relay took ${viaRelay.fromOpenvpnMs} ms`);
  });
});
