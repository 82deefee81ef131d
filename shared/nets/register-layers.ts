/**
 * Importing this module registers every custom layer with tfjs serialization, so a saved
 * model loads anywhere with no extra code. Each layer file registers itself; list it here.
 */
import './layers/instance-norm.js';
import './layers/reflection-pad.js';
