/** What the agency simulator serves: its world and how dirty the feeds are (every request may override it). */
export interface SimulatorOptions {
  /** Same seed, same world, same bytes. */
  seed: number;
  /** Number of firms in the world (DIW licenses one factory per five). */
  scale: number;
  /** Share of rows (0-1) carrying a real-feed quirk the hub must clean. */
  quirkRate: number;
  /** Share of rows (0-1) that are malformed and must be quarantined. */
  badRowRate: number;
}
