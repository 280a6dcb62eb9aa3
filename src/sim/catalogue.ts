/**
 * Fixed reference data the seeded estate is drawn from: regions and their cities, the category
 * tree with each leaf's price band, margin band, return rate and sales velocity, and the words
 * product and company names are made of. The seed decides the mix; this file decides what is
 * plausible for a general-merchandise retailer.
 */

export interface RegionSeed {
  id: string;
  name: string;
  cities: string[];
}

export const REGIONS: RegionSeed[] = [
  {
    id: 'north',
    name: 'North',
    cities: ['Hamburg', 'Bremen', 'Kiel', 'Hanover', 'Luebeck', 'Rostock', 'Oldenburg', 'Osnabrueck'],
  },
  {
    id: 'south',
    name: 'South',
    cities: ['Munich', 'Stuttgart', 'Nuremberg', 'Augsburg', 'Freiburg', 'Regensburg', 'Ulm', 'Wuerzburg'],
  },
  {
    id: 'east',
    name: 'East',
    cities: ['Berlin', 'Leipzig', 'Dresden', 'Erfurt', 'Magdeburg', 'Potsdam', 'Chemnitz', 'Halle'],
  },
  {
    id: 'west',
    name: 'West',
    cities: ['Cologne', 'Duesseldorf', 'Dortmund', 'Essen', 'Bonn', 'Muenster', 'Aachen', 'Duisburg'],
  },
];

/** Distribution centres and the regions each one replenishes. */
export const DC_SEEDS = [
  { id: 'DC-1', name: 'DC Hamburg-Billbrook', city: 'Hamburg', regions: ['north'] },
  { id: 'DC-2', name: 'DC Kassel-Nord', city: 'Kassel', regions: ['west', 'east'] },
  { id: 'DC-3', name: 'DC Augsburg-Lechhausen', city: 'Augsburg', regions: ['south'] },
];

export interface LeafSeed {
  id: string;
  name: string;
  /** Shelf price band in EUR. */
  price: [number, number];
  /** Gross margin band as a share of the net price. */
  margin: [number, number];
  /** Share of units sold that come back. */
  returnRate: number;
  /** Mean units a store sells of one SKU per day, before the ABC class is applied. */
  velocity: number;
  packSizes: number[];
  nouns: string[];
  sizes: string[];
}

export interface DepartmentSeed {
  id: string;
  name: string;
  leaves: LeafSeed[];
}

export const DEPARTMENTS: DepartmentSeed[] = [
  {
    id: 'food',
    name: 'Food and drink',
    leaves: [
      {
        id: 'food-beverages',
        name: 'Beverages',
        price: [0.79, 6.99],
        margin: [0.18, 0.32],
        returnRate: 0.003,
        velocity: 4.2,
        packSizes: [6, 12, 24],
        nouns: [
          'Sparkling Water',
          'Apple Juice',
          'Cola',
          'Iced Tea',
          'Orange Juice',
          'Lemonade',
          'Cold Brew',
        ],
        sizes: ['330ml', '500ml', '1L', '1.5L'],
      },
      {
        id: 'food-snacks',
        name: 'Snacks',
        price: [0.99, 4.49],
        margin: [0.25, 0.4],
        returnRate: 0.002,
        velocity: 3.6,
        packSizes: [12, 24],
        nouns: ['Sea Salt Crisps', 'Pretzels', 'Trail Mix', 'Dark Chocolate', 'Oat Bar', 'Popcorn'],
        sizes: ['40g', '100g', '150g', '200g'],
      },
      {
        id: 'food-pantry',
        name: 'Pantry',
        price: [0.89, 8.99],
        margin: [0.2, 0.35],
        returnRate: 0.003,
        velocity: 2.4,
        packSizes: [6, 12],
        nouns: [
          'Penne',
          'Basmati Rice',
          'Olive Oil',
          'Tomato Passata',
          'Rolled Oats',
          'Honey',
          'Coffee Beans',
        ],
        sizes: ['250g', '500g', '1kg', '750ml'],
      },
      {
        id: 'food-chilled',
        name: 'Dairy and chilled',
        price: [0.69, 5.99],
        margin: [0.15, 0.28],
        returnRate: 0.004,
        velocity: 5.1,
        packSizes: [6, 12],
        nouns: ['Greek Yoghurt', 'Whole Milk', 'Butter', 'Mature Cheddar', 'Hummus', 'Fresh Pasta'],
        sizes: ['150g', '250g', '500g', '1L'],
      },
    ],
  },
  {
    id: 'home',
    name: 'Home',
    leaves: [
      {
        id: 'home-kitchen',
        name: 'Kitchen',
        price: [3.99, 89.99],
        margin: [0.35, 0.55],
        returnRate: 0.05,
        velocity: 0.45,
        packSizes: [1, 4, 6],
        nouns: ['Chef Knife', 'Frying Pan', 'Mixing Bowl Set', 'Cutting Board', 'Saucepan', 'Storage Jar'],
        sizes: ['20cm', '24cm', '28cm', 'Set of 3'],
      },
      {
        id: 'home-cleaning',
        name: 'Cleaning',
        price: [1.29, 14.99],
        margin: [0.28, 0.42],
        returnRate: 0.01,
        velocity: 1.3,
        packSizes: [6, 12],
        nouns: ['Dish Soap', 'Laundry Liquid', 'Microfibre Cloths', 'Surface Spray', 'Sponges'],
        sizes: ['500ml', '1L', '2L', 'Pack of 5'],
      },
      {
        id: 'home-bath',
        name: 'Bedding and bath',
        price: [6.99, 129.0],
        margin: [0.4, 0.6],
        returnRate: 0.07,
        velocity: 0.3,
        packSizes: [1, 2, 4],
        nouns: ['Bath Towel', 'Duvet Cover', 'Pillow', 'Fitted Sheet', 'Bath Mat'],
        sizes: ['Single', 'Double', 'King', '70x140'],
      },
      {
        id: 'home-storage',
        name: 'Storage',
        price: [2.99, 49.99],
        margin: [0.38, 0.55],
        returnRate: 0.04,
        velocity: 0.5,
        packSizes: [1, 4],
        nouns: ['Storage Box', 'Laundry Basket', 'Shelf Divider', 'Vacuum Bag'],
        sizes: ['S', 'M', 'L', '30L'],
      },
    ],
  },
  {
    id: 'apparel',
    name: 'Apparel',
    leaves: [
      {
        id: 'apparel-women',
        name: 'Womenswear',
        price: [9.99, 119.0],
        margin: [0.5, 0.68],
        returnRate: 0.22,
        velocity: 0.35,
        packSizes: [1, 5],
        nouns: ['Linen Shirt', 'Knit Cardigan', 'Wide-Leg Trousers', 'Midi Dress', 'Denim Jacket'],
        sizes: ['XS', 'S', 'M', 'L', 'XL'],
      },
      {
        id: 'apparel-men',
        name: 'Menswear',
        price: [9.99, 129.0],
        margin: [0.48, 0.66],
        returnRate: 0.16,
        velocity: 0.32,
        packSizes: [1, 5],
        nouns: ['Oxford Shirt', 'Chinos', 'Merino Jumper', 'Rain Jacket', 'Polo Shirt'],
        sizes: ['S', 'M', 'L', 'XL', 'XXL'],
      },
      {
        id: 'apparel-kids',
        name: 'Kidswear',
        price: [4.99, 49.99],
        margin: [0.45, 0.6],
        returnRate: 0.12,
        velocity: 0.4,
        packSizes: [1, 5],
        nouns: ['Hoodie', 'Joggers', 'Pyjamas', 'T-Shirt Pack', 'Puffer Jacket'],
        sizes: ['2-3Y', '4-5Y', '6-7Y', '8-9Y'],
      },
      {
        id: 'apparel-footwear',
        name: 'Footwear',
        price: [14.99, 139.0],
        margin: [0.42, 0.6],
        returnRate: 0.2,
        velocity: 0.22,
        packSizes: [1],
        nouns: ['Running Shoe', 'Leather Boot', 'Canvas Sneaker', 'Slipper', 'Sandal'],
        sizes: ['EU38', 'EU40', 'EU42', 'EU44'],
      },
    ],
  },
  {
    id: 'electronics',
    name: 'Electronics',
    leaves: [
      {
        id: 'electronics-audio',
        name: 'Audio',
        price: [14.99, 249.0],
        margin: [0.18, 0.34],
        returnRate: 0.08,
        velocity: 0.12,
        packSizes: [1, 4],
        nouns: ['Wireless Earbuds', 'Bluetooth Speaker', 'Headphones', 'Soundbar'],
        sizes: ['Black', 'White', 'Blue'],
      },
      {
        id: 'electronics-accessories',
        name: 'Phone accessories',
        price: [4.99, 59.99],
        margin: [0.4, 0.62],
        returnRate: 0.06,
        velocity: 0.38,
        packSizes: [1, 10],
        nouns: ['USB-C Cable', 'Phone Case', 'Power Bank', 'Wall Charger', 'Screen Protector'],
        sizes: ['1m', '2m', '10000mAh', '20W'],
      },
      {
        id: 'electronics-appliances',
        name: 'Small appliances',
        price: [19.99, 199.0],
        margin: [0.2, 0.35],
        returnRate: 0.07,
        velocity: 0.08,
        packSizes: [1, 2],
        nouns: ['Kettle', 'Toaster', 'Hand Blender', 'Coffee Maker', 'Air Fryer'],
        sizes: ['1.7L', '2-Slice', '600W', '4L'],
      },
    ],
  },
  {
    id: 'beauty',
    name: 'Health and beauty',
    leaves: [
      {
        id: 'beauty-skincare',
        name: 'Skincare',
        price: [2.99, 39.99],
        margin: [0.45, 0.65],
        returnRate: 0.02,
        velocity: 0.9,
        packSizes: [6, 12],
        nouns: ['Face Cream', 'Cleansing Gel', 'Sun Lotion SPF30', 'Serum', 'Lip Balm'],
        sizes: ['15ml', '50ml', '100ml', '200ml'],
      },
      {
        id: 'beauty-hair',
        name: 'Haircare',
        price: [1.99, 24.99],
        margin: [0.38, 0.55],
        returnRate: 0.015,
        velocity: 1.1,
        packSizes: [6, 12],
        nouns: ['Shampoo', 'Conditioner', 'Hair Mask', 'Styling Gel', 'Dry Shampoo'],
        sizes: ['200ml', '250ml', '400ml'],
      },
      {
        id: 'beauty-personal',
        name: 'Personal care',
        price: [0.99, 19.99],
        margin: [0.3, 0.48],
        returnRate: 0.01,
        velocity: 1.6,
        packSizes: [6, 12, 24],
        nouns: ['Toothpaste', 'Deodorant', 'Shower Gel', 'Hand Soap', 'Razor Blades'],
        sizes: ['75ml', '150ml', '250ml', 'Pack of 4'],
      },
    ],
  },
  {
    id: 'leisure',
    name: 'Toys and leisure',
    leaves: [
      {
        id: 'leisure-toys',
        name: 'Toys',
        price: [4.99, 79.99],
        margin: [0.35, 0.5],
        returnRate: 0.05,
        velocity: 0.25,
        packSizes: [1, 4, 6],
        nouns: ['Building Blocks', 'Puzzle', 'Plush Bear', 'Board Game', 'Remote Car'],
        sizes: ['100pc', '500pc', '1000pc', 'Large'],
      },
      {
        id: 'leisure-sports',
        name: 'Sports and outdoor',
        price: [6.99, 149.0],
        margin: [0.38, 0.52],
        returnRate: 0.09,
        velocity: 0.18,
        packSizes: [1, 2],
        nouns: ['Yoga Mat', 'Water Bottle', 'Dumbbell', 'Camping Chair', 'Football'],
        sizes: ['Standard', '750ml', '5kg', 'Size 5'],
      },
    ],
  },
];

export const BRANDS = [
  'Norda',
  'Kestrel',
  'Lindholm',
  'Brightway',
  'Oakfield',
  'Veloce',
  'Harbour',
  'Alpen',
  'Corvo',
  'Mira',
];
export const ADJECTIVES = [
  'Classic',
  'Organic',
  'Premium',
  'Everyday',
  'Eco',
  'Pro',
  'Essential',
  'Signature',
];

/** Name parts of trade customers and suppliers. */
export const COMPANY_STEMS = [
  'Arden',
  'Birkwood',
  'Calder',
  'Dunmore',
  'Elster',
  'Fairhaven',
  'Glenrock',
  'Halvard',
  'Ivel',
  'Juniper',
  'Kessel',
  'Lorne',
  'Marlow',
  'Nettle',
  'Orwell',
  'Penrose',
  'Quarry',
  'Redfern',
  'Saxby',
  'Thornton',
];
export const CUSTOMER_KINDS = [
  'Hotels',
  'Catering',
  'Office Supply',
  'Schools',
  'Clinics',
  'Facilities',
  'Events',
  'Cafes',
];
export const SUPPLIER_KINDS = [
  'Foods',
  'Trading',
  'Manufacturing',
  'Brands',
  'Imports',
  'Textiles',
  'Electronics',
  'Goods',
];
export const FIRST_NAMES = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Elif',
  'Finn',
  'Greta',
  'Hannes',
  'Ida',
  'Jonas',
  'Kira',
  'Leon',
  'Mia',
  'Noah',
  'Olga',
  'Paul',
  'Rosa',
  'Samir',
  'Tara',
  'Yusuf',
];
export const LAST_NAMES = [
  'Becker',
  'Schmidt',
  'Novak',
  'Yilmaz',
  'Keller',
  'Hoffmann',
  'Weber',
  'Kowalski',
  'Richter',
  'Lang',
  'Brandt',
  'Jansen',
  'Vogel',
  'Roth',
  'Fischer',
  'Sommer',
];
