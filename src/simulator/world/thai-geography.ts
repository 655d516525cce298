/**
 * Real Thai provinces, districts and subdistricts (a subset: the industrial provinces and a few
 * from each region) and real industrial estates, for the simulated world. Names are written as
 * DIW writes them: without the อำเภอ/ตำบล (เขต/แขวง in Bangkok) prefixes. Coordinates are
 * approximate centres; `weight` is a rough share of the country's factories (assumed).
 */

export type Region = 'North' | 'Central' | 'Northeast' | 'West' | 'East' | 'South';

export interface District {
  nameTh: string;
  subdistricts: readonly string[];
}

export interface Province {
  /** Interior ministry code, also ISO 3166-2 `TH-NN`. */
  code: string;
  nameTh: string;
  nameEn: string;
  region: Region;
  /** Two-letter abbreviation used in old factory registration numbers. */
  abbreviation: string;
  lat: number;
  lng: number;
  weight: number;
  roads: readonly string[];
  districts: readonly District[];
}

export interface IndustrialEstate {
  /** Simulated estate code (DIW's ESTATE codes are not published; assumed format). */
  code: string;
  nameTh: string;
  province: Province;
  district: District;
  subdistrict: string;
  lat: number;
  lng: number;
}

const d = (nameTh: string, ...subdistricts: string[]): District => ({ nameTh, subdistricts });

export const PROVINCES: readonly Province[] = [
  {
    code: '10', nameTh: 'กรุงเทพมหานคร', nameEn: 'Bangkok', region: 'Central', abbreviation: 'กท', lat: 13.7563, lng: 100.5018, weight: 14,
    roads: ['พระราม 2', 'ฉลองกรุง', 'ประชาชื่น'],
    districts: [d('บางขุนเทียน', 'แสมดำ', 'ท่าข้าม'), d('ลาดกระบัง', 'ลำปลาทิว', 'ลาดกระบัง'), d('บางซื่อ', 'บางซื่อ', 'วงศ์สว่าง')],
  },
  {
    code: '11', nameTh: 'สมุทรปราการ', nameEn: 'Samut Prakan', region: 'Central', abbreviation: 'สป', lat: 13.5991, lng: 100.5968, weight: 14,
    roads: ['สุขุมวิท', 'เทพารักษ์', 'บางนา-ตราด', 'ปู่เจ้าสมิงพราย'],
    districts: [d('เมืองสมุทรปราการ', 'แพรกษา', 'บางปูใหม่'), d('บางพลี', 'บางพลีใหญ่', 'บางปลา'), d('พระประแดง', 'บางจาก', 'สำโรง')],
  },
  {
    code: '12', nameTh: 'นนทบุรี', nameEn: 'Nonthaburi', region: 'Central', abbreviation: 'นบ', lat: 13.8621, lng: 100.5144, weight: 3,
    roads: ['รัตนาธิเบศร์', 'บางกรวย-ไทรน้อย'],
    districts: [d('บางบัวทอง', 'บางบัวทอง', 'พิมลราช'), d('ปากเกร็ด', 'บางพูด', 'ปากเกร็ด')],
  },
  {
    code: '13', nameTh: 'ปทุมธานี', nameEn: 'Pathum Thani', region: 'Central', abbreviation: 'ปท', lat: 14.0208, lng: 100.525, weight: 6,
    roads: ['พหลโยธิน', 'รังสิต-นครนายก'],
    districts: [d('คลองหลวง', 'คลองหนึ่ง', 'คลองสอง'), d('เมืองปทุมธานี', 'บางกะดี', 'บ้านกลาง'), d('ลำลูกกา', 'คูคต', 'ลาดสวาย')],
  },
  {
    code: '14', nameTh: 'พระนครศรีอยุธยา', nameEn: 'Phra Nakhon Si Ayutthaya', region: 'Central', abbreviation: 'อย', lat: 14.3532, lng: 100.5689, weight: 6,
    roads: ['สายเอเชีย', 'โรจนะ'],
    districts: [d('บางปะอิน', 'คลองจิก', 'บ้านเลน'), d('อุทัย', 'คานหาม', 'อุทัย'), d('พระนครศรีอยุธยา', 'ประตูชัย')],
  },
  {
    code: '19', nameTh: 'สระบุรี', nameEn: 'Saraburi', region: 'Central', abbreviation: 'สบ', lat: 14.5289, lng: 100.9101, weight: 3,
    roads: ['มิตรภาพ', 'พหลโยธิน'],
    districts: [d('แก่งคอย', 'ทับกวาง', 'ตาลเดี่ยว'), d('หนองแค', 'หนองแค'), d('เมืองสระบุรี', 'ปากเพรียว', 'ดาวเรือง')],
  },
  {
    code: '20', nameTh: 'ชลบุรี', nameEn: 'Chon Buri', region: 'East', abbreviation: 'ชบ', lat: 13.3611, lng: 100.9847, weight: 10,
    roads: ['สุขุมวิท', 'บางนา-ตราด'],
    districts: [d('เมืองชลบุรี', 'ดอนหัวฬ่อ', 'บ้านสวน'), d('ศรีราชา', 'ทุ่งสุขลา', 'บึง', 'หนองขาม'), d('พานทอง', 'พานทอง', 'หนองตำลึง')],
  },
  {
    code: '21', nameTh: 'ระยอง', nameEn: 'Rayong', region: 'East', abbreviation: 'รย', lat: 12.6814, lng: 101.2816, weight: 7,
    roads: ['สุขุมวิท'],
    districts: [d('เมืองระยอง', 'มาบตาพุด', 'ห้วยโป่ง', 'เชิงเนิน'), d('ปลวกแดง', 'มาบยางพร', 'ปลวกแดง'), d('บ้านค่าย', 'บ้านค่าย')],
  },
  {
    code: '24', nameTh: 'ฉะเชิงเทรา', nameEn: 'Chachoengsao', region: 'East', abbreviation: 'ฉช', lat: 13.6904, lng: 101.0779, weight: 4,
    roads: ['บางนา-ตราด', 'สุวินทวงศ์'],
    districts: [d('บางปะกง', 'บางวัว', 'ท่าสะอ้าน'), d('เมืองฉะเชิงเทรา', 'หน้าเมือง', 'บางตีนเป็ด')],
  },
  {
    code: '25', nameTh: 'ปราจีนบุรี', nameEn: 'Prachin Buri', region: 'East', abbreviation: 'ปจ', lat: 14.0509, lng: 101.3717, weight: 2,
    roads: ['สุวรรณศร'],
    districts: [d('ศรีมหาโพธิ', 'ท่าตูม'), d('กบินทร์บุรี', 'กบินทร์', 'นนทรี'), d('เมืองปราจีนบุรี', 'หน้าเมือง')],
  },
  {
    code: '30', nameTh: 'นครราชสีมา', nameEn: 'Nakhon Ratchasima', region: 'Northeast', abbreviation: 'นม', lat: 14.9799, lng: 102.0978, weight: 4,
    roads: ['มิตรภาพ', 'สุรนารายณ์'],
    districts: [d('เมืองนครราชสีมา', 'ในเมือง', 'หัวทะเล'), d('ปากช่อง', 'ปากช่อง', 'หนองสาหร่าย'), d('สูงเนิน', 'สูงเนิน', 'กุดจิก')],
  },
  {
    code: '40', nameTh: 'ขอนแก่น', nameEn: 'Khon Kaen', region: 'Northeast', abbreviation: 'ขก', lat: 16.4322, lng: 102.8236, weight: 2,
    roads: ['มิตรภาพ', 'มะลิวัลย์'],
    districts: [d('เมืองขอนแก่น', 'ในเมือง', 'ศิลา'), d('น้ำพอง', 'น้ำพอง', 'วังชัย'), d('บ้านไผ่', 'บ้านไผ่', 'ในเมือง')],
  },
  {
    code: '41', nameTh: 'อุดรธานี', nameEn: 'Udon Thani', region: 'Northeast', abbreviation: 'อด', lat: 17.4138, lng: 102.7877, weight: 1,
    roads: ['มิตรภาพ', 'ทหาร'],
    districts: [d('เมืองอุดรธานี', 'หมากแข้ง', 'หนองนาคำ'), d('กุมภวาปี', 'กุมภวาปี')],
  },
  {
    code: '50', nameTh: 'เชียงใหม่', nameEn: 'Chiang Mai', region: 'North', abbreviation: 'ชม', lat: 18.7883, lng: 98.9853, weight: 2,
    roads: ['เชียงใหม่-ลำปาง', 'โชตนา'],
    districts: [d('เมืองเชียงใหม่', 'ศรีภูมิ', 'ช้างเผือก'), d('สันทราย', 'สันทรายหลวง', 'หนองหาร'), d('หางดง', 'หางดง', 'บ้านแหวน')],
  },
  {
    code: '51', nameTh: 'ลำพูน', nameEn: 'Lamphun', region: 'North', abbreviation: 'ลพ', lat: 18.5745, lng: 99.0087, weight: 2,
    roads: ['ลำพูน-ป่าซาง', 'ซุปเปอร์ไฮเวย์เชียงใหม่-ลำปาง'],
    districts: [d('เมืองลำพูน', 'บ้านกลาง', 'เหมืองง่า'), d('ป่าซาง', 'ปากบ่อง', 'มะกอก')],
  },
  {
    code: '52', nameTh: 'ลำปาง', nameEn: 'Lampang', region: 'North', abbreviation: 'ลป', lat: 18.2888, lng: 99.4908, weight: 1,
    roads: ['พหลโยธิน'],
    districts: [d('เมืองลำปาง', 'เวียงเหนือ', 'พระบาท'), d('เกาะคา', 'เกาะคา')],
  },
  {
    code: '60', nameTh: 'นครสวรรค์', nameEn: 'Nakhon Sawan', region: 'North', abbreviation: 'นว', lat: 15.7047, lng: 100.1372, weight: 2,
    roads: ['พหลโยธิน', 'สวรรค์วิถี'],
    districts: [d('เมืองนครสวรรค์', 'ปากน้ำโพ', 'นครสวรรค์ตก'), d('ตาคลี', 'ตาคลี')],
  },
  {
    code: '65', nameTh: 'พิษณุโลก', nameEn: 'Phitsanulok', region: 'North', abbreviation: 'พล', lat: 16.8211, lng: 100.2659, weight: 1,
    roads: ['มิตรภาพ', 'สิงหวัฒน์'],
    districts: [d('เมืองพิษณุโลก', 'ในเมือง', 'อรัญญิก'), d('วังทอง', 'วังทอง')],
  },
  {
    code: '70', nameTh: 'ราชบุรี', nameEn: 'Ratchaburi', region: 'West', abbreviation: 'รบ', lat: 13.5283, lng: 99.8134, weight: 3,
    roads: ['เพชรเกษม'],
    districts: [d('บ้านโป่ง', 'บ้านโป่ง', 'ท่าผา'), d('โพธาราม', 'โพธาราม', 'คลองตาคต'), d('เมืองราชบุรี', 'หน้าเมือง')],
  },
  {
    code: '71', nameTh: 'กาญจนบุรี', nameEn: 'Kanchanaburi', region: 'West', abbreviation: 'กจ', lat: 14.0228, lng: 99.5328, weight: 2,
    roads: ['แสงชูโต'],
    districts: [d('ท่าม่วง', 'ท่าม่วง', 'วังขนาย'), d('เมืองกาญจนบุรี', 'บ้านเหนือ', 'ปากแพรก')],
  },
  {
    code: '72', nameTh: 'สุพรรณบุรี', nameEn: 'Suphan Buri', region: 'Central', abbreviation: 'สพ', lat: 14.4745, lng: 100.1177, weight: 2,
    roads: ['มาลัยแมน'],
    districts: [d('เมืองสุพรรณบุรี', 'ท่าพี่เลี้ยง'), d('อู่ทอง', 'อู่ทอง')],
  },
  {
    code: '73', nameTh: 'นครปฐม', nameEn: 'Nakhon Pathom', region: 'Central', abbreviation: 'นฐ', lat: 13.8199, lng: 100.0622, weight: 5,
    roads: ['เพชรเกษม', 'พุทธมณฑลสาย 4'],
    districts: [d('สามพราน', 'อ้อมใหญ่', 'ยายชา'), d('เมืองนครปฐม', 'พระปฐมเจดีย์', 'ธรรมศาลา'), d('กำแพงแสน', 'ทุ่งกระพังโหม')],
  },
  {
    code: '74', nameTh: 'สมุทรสาคร', nameEn: 'Samut Sakhon', region: 'Central', abbreviation: 'สค', lat: 13.5475, lng: 100.2744, weight: 10,
    roads: ['พระราม 2', 'เศรษฐกิจ 1'],
    districts: [d('เมืองสมุทรสาคร', 'มหาชัย', 'ท่าทราย', 'โคกขาม'), d('กระทุ่มแบน', 'อ้อมน้อย', 'ตลาดกระทุ่มแบน'), d('บ้านแพ้ว', 'หลักสาม')],
  },
  {
    code: '83', nameTh: 'ภูเก็ต', nameEn: 'Phuket', region: 'South', abbreviation: 'ภก', lat: 7.8804, lng: 98.3923, weight: 1,
    roads: ['เทพกระษัตรี'],
    districts: [d('เมืองภูเก็ต', 'ตลาดใหญ่', 'วิชิต', 'รัษฎา'), d('ถลาง', 'เทพกระษัตรี', 'ศรีสุนทร'), d('กะทู้', 'กะทู้', 'ป่าตอง')],
  },
  {
    code: '84', nameTh: 'สุราษฎร์ธานี', nameEn: 'Surat Thani', region: 'South', abbreviation: 'สฎ', lat: 9.1382, lng: 99.3215, weight: 2,
    roads: ['ตลาดใหม่', 'สุราษฎร์-พุนพิน'],
    districts: [d('เมืองสุราษฎร์ธานี', 'ตลาด', 'มะขามเตี้ย'), d('พุนพิน', 'ท่าข้าม', 'หัวเตย')],
  },
  {
    code: '90', nameTh: 'สงขลา', nameEn: 'Songkhla', region: 'South', abbreviation: 'สข', lat: 7.1898, lng: 100.5954, weight: 3,
    roads: ['กาญจนวนิช', 'เพชรเกษม'],
    districts: [d('หาดใหญ่', 'หาดใหญ่', 'ควนลัง', 'ฉลุง'), d('เมืองสงขลา', 'บ่อยาง'), d('สะเดา', 'สะเดา', 'สำนักขาม')],
  },
];

interface EstateSpec {
  code: string;
  nameTh: string;
  provinceCode: string;
  district: string;
  subdistrict: string;
  lat: number;
  lng: number;
}

const ESTATE_SPECS: readonly EstateSpec[] = [
  { code: '01', nameTh: 'นิคมอุตสาหกรรมลาดกระบัง', provinceCode: '10', district: 'ลาดกระบัง', subdistrict: 'ลำปลาทิว', lat: 13.7125, lng: 100.757 },
  { code: '02', nameTh: 'นิคมอุตสาหกรรมบางปู', provinceCode: '11', district: 'เมืองสมุทรปราการ', subdistrict: 'แพรกษา', lat: 13.527, lng: 100.657 },
  { code: '03', nameTh: 'นิคมอุตสาหกรรมอมตะซิตี้ ชลบุรี', provinceCode: '20', district: 'เมืองชลบุรี', subdistrict: 'ดอนหัวฬ่อ', lat: 13.421, lng: 101.013 },
  { code: '04', nameTh: 'นิคมอุตสาหกรรมแหลมฉบัง', provinceCode: '20', district: 'ศรีราชา', subdistrict: 'ทุ่งสุขลา', lat: 13.09, lng: 100.918 },
  { code: '05', nameTh: 'นิคมอุตสาหกรรมมาบตาพุด', provinceCode: '21', district: 'เมืองระยอง', subdistrict: 'มาบตาพุด', lat: 12.705, lng: 101.15 },
  { code: '06', nameTh: 'นิคมอุตสาหกรรมอมตะซิตี้ ระยอง', provinceCode: '21', district: 'ปลวกแดง', subdistrict: 'มาบยางพร', lat: 13.02, lng: 101.14 },
  { code: '07', nameTh: 'นิคมอุตสาหกรรมบางปะอิน', provinceCode: '14', district: 'บางปะอิน', subdistrict: 'คลองจิก', lat: 14.233, lng: 100.6 },
  { code: '08', nameTh: 'นิคมอุตสาหกรรมไฮเทค', provinceCode: '14', district: 'บางปะอิน', subdistrict: 'บ้านเลน', lat: 14.26, lng: 100.59 },
  { code: '09', nameTh: 'นิคมอุตสาหกรรมโรจนะ', provinceCode: '14', district: 'อุทัย', subdistrict: 'คานหาม', lat: 14.325, lng: 100.66 },
  { code: '10', nameTh: 'นิคมอุตสาหกรรมเวลโกรว์', provinceCode: '24', district: 'บางปะกง', subdistrict: 'บางวัว', lat: 13.58, lng: 100.99 },
  { code: '11', nameTh: 'นิคมอุตสาหกรรม 304', provinceCode: '25', district: 'ศรีมหาโพธิ', subdistrict: 'ท่าตูม', lat: 13.95, lng: 101.56 },
  { code: '12', nameTh: 'นิคมอุตสาหกรรมภาคเหนือ', provinceCode: '51', district: 'เมืองลำพูน', subdistrict: 'บ้านกลาง', lat: 18.59, lng: 99.035 },
  { code: '13', nameTh: 'นิคมอุตสาหกรรมภาคใต้ จังหวัดสงขลา', provinceCode: '90', district: 'หาดใหญ่', subdistrict: 'ฉลุง', lat: 6.99, lng: 100.35 },
];

/** Estates resolved against the province list, so an estate's location is always a real entry. */
export const INDUSTRIAL_ESTATES: readonly IndustrialEstate[] = ESTATE_SPECS.map((spec) => {
  const province = PROVINCES.find((p) => p.code === spec.provinceCode);
  const district = province?.districts.find((candidate) => candidate.nameTh === spec.district);
  if (!province || !district?.subdistricts.includes(spec.subdistrict)) {
    throw new Error(`industrial estate ${spec.code} is not located in a listed subdistrict`);
  }
  return { code: spec.code, nameTh: spec.nameTh, province, district, subdistrict: spec.subdistrict, lat: spec.lat, lng: spec.lng };
});
