/**
 * Parts of simulated Thai company names: two auspicious syllables, the industry's brand word and a
 * suffix, e.g. `ศรีทองฟู้ดส์ (ประเทศไทย)` / `Srithong Foods (Thailand)`. Each entry is [Thai, English].
 */

export const NAME_SYLLABLES: readonly (readonly [string, string])[] = [
  ['ศรี', 'Sri'], ['ทอง', 'Thong'], ['ชัย', 'Chai'], ['วัฒนา', 'Watthana'], ['เจริญ', 'Charoen'], ['สุข', 'Suk'],
  ['มงคล', 'Mongkhon'], ['กิจ', 'Kit'], ['ไทย', 'Thai'], ['สยาม', 'Siam'], ['รุ่ง', 'Rung'], ['เรือง', 'Rueang'],
  ['ศิริ', 'Siri'], ['ธนา', 'Thana'], ['ประเสริฐ', 'Prasoet'], ['มั่น', 'Man'], ['คง', 'Khong'], ['ยิ่ง', 'Ying'],
  ['ยง', 'Yong'], ['บุญ', 'Bun'], ['ศักดิ์', 'Sak'], ['อุดม', 'Udom'], ['นคร', 'Nakhon'], ['กรุง', 'Krung'],
  ['เทพ', 'Thep'], ['ชล', 'Chon'], ['บูรพา', 'Burapha'], ['ล้านนา', 'Lanna'], ['สุวรรณ', 'Suwan'], ['ภูมิ', 'Phum'],
  ['พร', 'Phon'], ['เพชร', 'Phet'], ['ทิพย์', 'Thip'], ['แสง', 'Saeng'], ['อรุณ', 'Arun'], ['ตะวัน', 'Tawan'],
  ['นภา', 'Napha'], ['ชาญ', 'Chan'], ['วิทย์', 'Wit'], ['เอก', 'Ek'], ['สิน', 'Sin'], ['ทวี', 'Thawi'],
  ['พูล', 'Phun'], ['กมล', 'Kamon'], ['ปิยะ', 'Piya'], ['รัตน์', 'Rat'], ['สมบูรณ์', 'Sombun'], ['อำนวย', 'Amnuai'],
];

export const NAME_SUFFIXES: readonly (readonly [string, string])[] = [
  ['', ''],
  [' (ประเทศไทย)', ' (Thailand)'],
  [' อินดัสทรี', ' Industry'],
  [' กรุ๊ป', ' Group'],
  [' แมนูแฟคเจอริ่ง', ' Manufacturing'],
  [' อินเตอร์เนชั่นแนล', ' International'],
];
