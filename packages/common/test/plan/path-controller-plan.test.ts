import { strict as assert } from 'node:assert';
import { parsePathControllerSettings } from '../../src/config/path-controller-settings';
import { pathControllerPlan } from '../../src/plan/path-controller-plan';
import { expectInputError } from '../config/expect-input-error';

const BASE = {
  POD_IP: '10.96.3.7',
  HA_VPN_CLIENTS: '2',
  SHOOT_SERVICE_NETWORKS: '100.64.0.0/13,2001:db8:1::/108',
  SHOOT_POD_NETWORKS: '100.96.0.0/11',
  SHOOT_NODE_NETWORKS: '10.250.0.0/16',
};

describe('plan: path controller', () => {
  it('without overlap: real shoot networks, pod IP as it is', () => {
    const plan = pathControllerPlan(parsePathControllerSettings({ ...BASE, SEED_POD_NETWORK: '10.96.0.0/11' }));
    assert.equal(plan.overlap, false);
    assert.deepEqual(plan.shootRoutes.map(String), ['10.250.0.0/16', '100.64.0.0/13', '100.96.0.0/11', '2001:db8:1::/108']);
    assert.equal(plan.announcedPodIp.toString(), '10.96.3.7');
  });

  it('with overlap: IPv4 shoot networks as their /8s, pod IP netmapped into 241/8', () => {
    const plan = pathControllerPlan(parsePathControllerSettings({ ...BASE, SEED_POD_NETWORK: '10.0.0.0/8' }));
    assert.equal(plan.overlap, true);
    assert.deepEqual(plan.shootRoutes.map(String), ['2001:db8:1::/108', '242.0.0.0/8', '243.0.0.0/8', '244.0.0.0/8']);
    assert.equal(plan.announcedPodIp.toString(), '241.96.3.7');
  });

  it('an IPv6 pod IP is never netmapped', () => {
    const plan = pathControllerPlan(parsePathControllerSettings({ ...BASE, SEED_POD_NETWORK: '10.0.0.0/8', POD_IP: 'fd00:10::7' }));
    assert.equal(plan.announcedPodIp.toString(), 'fd00:10::7');
  });

  it('on overlap the shoot networks must fit their /8s', () => {
    const env = { ...BASE, SEED_POD_NETWORK: '10.0.0.0/8', SHOOT_SERVICE_NETWORKS: '100.64.0.0/7' };
    expectInputError(() => pathControllerPlan(parsePathControllerSettings(env)), 'SHOOT_SERVICE_NETWORKS', '243.0.0.0/8');
  });
});
