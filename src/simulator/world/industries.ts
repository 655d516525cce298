/**
 * Manufacturing industries of the simulated world. TSIC codes are 5-digit subclasses whose first
 * four digits are the real ISIC Rev.4 class; the fifth digit and the pairing with Factory Act type
 * codes are the simulator's choice (not checked against the official lists). Ranges are per factory.
 */

export interface Industry {
  tsic: string;
  /** Factory type code under the Factory Act (FACTYPE). */
  factoryType: string;
  /** Word in company names, e.g. `ฟู้ดส์` / `Foods`. */
  brandTh: string;
  brandEn: string;
  /** What the factory does (OBJECT). */
  objective: string;
  /** Relative share of factories. */
  weight: number;
  horsepower: readonly [number, number];
  workers: readonly [number, number];
  capitalBaht: readonly [number, number];
}

const SMALL = { horsepower: [20, 800], workers: [5, 150], capitalBaht: [500_000, 50_000_000] } as const;
const MEDIUM = { horsepower: [50, 5_000], workers: [20, 800], capitalBaht: [2_000_000, 500_000_000] } as const;
const LARGE = { horsepower: [500, 50_000], workers: [100, 5_000], capitalBaht: [50_000_000, 10_000_000_000] } as const;

export const INDUSTRIES: readonly Industry[] = [
  { tsic: '10111', factoryType: '9', brandTh: 'ฟู้ดส์', brandEn: 'Foods', objective: 'ชำแหละและแปรรูปเนื้อไก่', weight: 4, ...MEDIUM },
  { tsic: '10201', factoryType: '10', brandTh: 'ซีฟู้ด', brandEn: 'Seafood', objective: 'แปรรูปกุ้งแช่เยือกแข็ง', weight: 5, ...MEDIUM },
  { tsic: '10301', factoryType: '11', brandTh: 'แคนนิ่ง', brandEn: 'Canning', objective: 'ผลิตผลไม้กระป๋องและน้ำผลไม้', weight: 3, ...MEDIUM },
  { tsic: '10611', factoryType: '1', brandTh: 'ไรซ์', brandEn: 'Rice', objective: 'สีข้าวและอบเมล็ดพืช', weight: 8, ...SMALL },
  { tsic: '10721', factoryType: '17', brandTh: 'ชูการ์', brandEn: 'Sugar', objective: 'ผลิตน้ำตาลทรายดิบและน้ำตาลทรายขาว', weight: 1, ...LARGE },
  { tsic: '10750', factoryType: '16', brandTh: 'อุตสาหกรรมอาหาร', brandEn: 'Food Industry', objective: 'ผลิตอาหารสำเร็จรูปพร้อมรับประทาน', weight: 5, ...MEDIUM },
  { tsic: '10800', factoryType: '20', brandTh: 'อาหารสัตว์', brandEn: 'Feedmill', objective: 'ผลิตอาหารสัตว์', weight: 3, ...MEDIUM },
  { tsic: '11040', factoryType: '24', brandTh: 'เบฟเวอเรจ', brandEn: 'Beverage', objective: 'ผลิตน้ำดื่มและเครื่องดื่มไม่มีแอลกอฮอล์', weight: 4, ...SMALL },
  { tsic: '13111', factoryType: '22', brandTh: 'เท็กซ์ไทล์', brandEn: 'Textile', objective: 'ปั่นด้ายและทอผ้า', weight: 3, ...MEDIUM },
  { tsic: '14111', factoryType: '26', brandTh: 'การ์เมนท์', brandEn: 'Garment', objective: 'ตัดเย็บเสื้อผ้าสำเร็จรูป', weight: 4, ...SMALL },
  { tsic: '16291', factoryType: '31', brandTh: 'วู้ด', brandEn: 'Wood', objective: 'ผลิตพาเลทไม้และบรรจุภัณฑ์ไม้', weight: 3, ...SMALL },
  { tsic: '17021', factoryType: '38', brandTh: 'แพ็คเกจจิ้ง', brandEn: 'Packaging', objective: 'ผลิตกล่องกระดาษลูกฟูก', weight: 3, ...MEDIUM },
  { tsic: '20111', factoryType: '42', brandTh: 'เคมีคอล', brandEn: 'Chemical', objective: 'ผลิตเคมีภัณฑ์พื้นฐาน', weight: 2, ...LARGE },
  { tsic: '20121', factoryType: '43', brandTh: 'อะโกร', brandEn: 'Agro', objective: 'ผลิตปุ๋ยเคมีและปุ๋ยอินทรีย์', weight: 2, ...MEDIUM },
  { tsic: '20231', factoryType: '46', brandTh: 'คอสเมติก', brandEn: 'Cosmetics', objective: 'ผลิตเครื่องสำอางและสบู่', weight: 2, ...SMALL },
  { tsic: '21001', factoryType: '45', brandTh: 'ฟาร์มา', brandEn: 'Pharma', objective: 'ผลิตยาแผนปัจจุบัน', weight: 1, ...MEDIUM },
  { tsic: '22111', factoryType: '52', brandTh: 'รับเบอร์', brandEn: 'Rubber', objective: 'ผลิตยางรถยนต์', weight: 1, ...LARGE },
  { tsic: '22191', factoryType: '52', brandTh: 'ลาเท็กซ์', brandEn: 'Latex', objective: 'ผลิตถุงมือยาง', weight: 2, ...MEDIUM },
  { tsic: '22201', factoryType: '53', brandTh: 'พลาสติก', brandEn: 'Plastic', objective: 'ผลิตภาชนะและชิ้นส่วนพลาสติก', weight: 7, ...MEDIUM },
  { tsic: '23101', factoryType: '56', brandTh: 'กลาส', brandEn: 'Glass', objective: 'ผลิตขวดแก้วและกระจก', weight: 1, ...LARGE },
  { tsic: '23941', factoryType: '59', brandTh: 'ซีเมนต์', brandEn: 'Cement', objective: 'ผลิตปูนซีเมนต์', weight: 1, ...LARGE },
  { tsic: '23951', factoryType: '60', brandTh: 'คอนกรีต', brandEn: 'Concrete', objective: 'ผลิตคอนกรีตผสมเสร็จและผลิตภัณฑ์คอนกรีต', weight: 5, ...SMALL },
  { tsic: '24101', factoryType: '62', brandTh: 'สตีล', brandEn: 'Steel', objective: 'รีดเหล็กเส้นและเหล็กแผ่น', weight: 2, ...LARGE },
  { tsic: '25111', factoryType: '64', brandTh: 'เมทัลเวิร์ค', brandEn: 'Metalwork', objective: 'ผลิตโครงสร้างเหล็กและงานโลหะ', weight: 7, ...SMALL },
  { tsic: '25920', factoryType: '65', brandTh: 'โคทติ้ง', brandEn: 'Coating', objective: 'ชุบเคลือบผิวโลหะ', weight: 2, ...SMALL },
  { tsic: '26101', factoryType: '74', brandTh: 'อิเล็กทรอนิกส์', brandEn: 'Electronics', objective: 'ผลิตแผงวงจรและชิ้นส่วนอิเล็กทรอนิกส์', weight: 3, ...LARGE },
  { tsic: '26201', factoryType: '74', brandTh: 'เทคโนโลยี', brandEn: 'Technology', objective: 'ผลิตฮาร์ดดิสก์ไดรฟ์และชิ้นส่วนคอมพิวเตอร์', weight: 1, ...LARGE },
  { tsic: '27101', factoryType: '75', brandTh: 'อีเลคทริค', brandEn: 'Electric', objective: 'ผลิตมอเตอร์ไฟฟ้าและหม้อแปลงไฟฟ้า', weight: 2, ...MEDIUM },
  { tsic: '27501', factoryType: '76', brandTh: 'แอพพลายแอนซ์', brandEn: 'Appliance', objective: 'ผลิตตู้เย็นและเครื่องปรับอากาศ', weight: 2, ...LARGE },
  { tsic: '28191', factoryType: '70', brandTh: 'แมชชีนเนอรี่', brandEn: 'Machinery', objective: 'ผลิตและซ่อมเครื่องจักรอุตสาหกรรม', weight: 3, ...SMALL },
  { tsic: '29101', factoryType: '80', brandTh: 'มอเตอร์', brandEn: 'Motor', objective: 'ประกอบรถยนต์', weight: 1, ...LARGE },
  { tsic: '29301', factoryType: '82', brandTh: 'ออโต้พาร์ท', brandEn: 'Auto Parts', objective: 'ผลิตชิ้นส่วนและอุปกรณ์ยานยนต์', weight: 6, ...MEDIUM },
  { tsic: '31001', factoryType: '33', brandTh: 'เฟอร์นิเจอร์', brandEn: 'Furniture', objective: 'ผลิตเฟอร์นิเจอร์ไม้และเฟอร์นิเจอร์โลหะ', weight: 3, ...SMALL },
  { tsic: '32501', factoryType: '86', brandTh: 'เมดิคอล', brandEn: 'Medical', objective: 'ผลิตอุปกรณ์การแพทย์', weight: 1, ...MEDIUM },
];
