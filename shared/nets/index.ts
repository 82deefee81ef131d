/**
 * Importing this module registers every architecture of the model zoo (and, through them,
 * every custom layer). Each architecture file registers itself; list it here.
 */
import './register-layers.js';
export { getArchitecture, listArchitectures, servedSizeMultiple } from './registry.js';
export type { Architecture, Batch, Networks, Objective } from './architecture.js';
import './ldsgan.js';
import './pmsgan.js';
import './cyclegan-unet-sa.js';
import './pix2pix-unetpp.js';
import './pix2pix.js';
import './cyclegan.js';
import './ome.js';
import './ome-pretrain.js';
import './animegan.js';
