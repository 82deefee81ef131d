/**
 * Importing this module registers every architecture of the model zoo (and, through them,
 * every custom layer). Each architecture file registers itself; list it here.
 */
import '../shared/layers/register-layers.js';
export { getArchitecture, listArchitectures, servedSizeMultiple } from './registry.js';
export type { Architecture, Batch, Networks, Objective } from './architecture.js';
import './ldsgan/ldsgan.js';
import './pmsgan/pmsgan.js';
import './cyclegan-unet-sa/cyclegan-unet-sa.js';
import './pix2pix-unetpp/pix2pix-unetpp.js';
import './pix2pix/pix2pix.js';
import './cyclegan/cyclegan.js';
import './ome/ome.js';
import './ome-pretrain/ome-pretrain.js';
import './animegan/animegan.js';
